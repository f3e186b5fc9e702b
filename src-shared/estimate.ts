/**
 * What a query over some recordings will cost on this machine, before it runs: from the costs
 * measured by earlier runs of the same model on the same device (stored per model and device,
 * refined by each run), never invented. The `query.estimate` call and `tempo ground --estimate`.
 */
import { z } from 'zod';
import { formatSeconds } from './eta.js';

const Id = z.number().int().positive();
const Seconds = z.number().finite().nonnegative();

export const EstimateInput = z.object({
  /** None listed: the whole library. */
  recordingIds: z.array(Id).max(10_000),
  /** A local model's name or folder; unset (with `device`): the settings' model, device or model server, as `query.run` asks. */
  model: z.string().min(1).max(4096).optional(),
  /** cpu, webgpu, cuda or dml, checked by the engine (one not available here is a usage error). */
  device: z.string().min(1).max(40).optional(),
});
export type EstimateInput = z.infer<typeof EstimateInput>;

export const RecordingEstimate = z.object({
  recordingId: Id,
  /** Null when no cost is measured for the model and device yet. */
  seconds: Seconds.nullable(),
  /** Visual tokens the model will read: the recording's scan plan, or for one not scanned yet, a guess from its length. */
  visualTokens: z.number().int().nonnegative(),
  /** Whether the recording has a scan; one that has none is scanned first (its scan time is in `seconds` when measured). */
  scanned: z.boolean(),
});
export type RecordingEstimate = z.infer<typeof RecordingEstimate>;

/** One stage of a two-stage query, priced at its own model and device's measured costs. */
export const StageEstimate = z.object({
  model: z.string(),
  device: z.string(),
  /** Null when no cost is measured for this stage's model and device yet. */
  seconds: Seconds.nullable(),
  /** How many runs its stored costs fold in. */
  runs: z.number().int().nonnegative(),
  /** Visual tokens of the frame plans it is expected to read (the candidate's: every window, at its capped frame size). */
  visualTokens: z.number().int().nonnegative(),
});
export type StageEstimate = z.infer<typeof StageEstimate>;

/**
 * A two-stage query's stages: the candidate model reads every window; the refining backend
 * (the estimate's model and device) reads `share` of the plans' visual tokens, as earlier
 * two-stage runs here sent it (`shareRuns` of them; none: every window, an upper bound).
 */
export const TwoStageEstimate = z.object({
  candidate: StageEstimate,
  refine: StageEstimate.extend({ share: z.number().finite().nonnegative(), shareRuns: z.number().int().nonnegative() }),
});
export type TwoStageEstimate = z.infer<typeof TwoStageEstimate>;

export const Estimate = z.object({
  /** The model and device that answer the query (a two-stage query: the refining backend). */
  model: z.string(),
  device: z.string(),
  /** Null when `basis` is 'none'; with 'partial', the measured stages only (a lower bound). */
  seconds: Seconds.nullable(),
  /**
   * 'measured': from costs of earlier runs here; 'none': nothing measured yet for this model and
   * device (two stages: for either stage); 'partial': two stages, one of them not measured yet.
   */
  basis: z.enum(['measured', 'partial', 'none']),
  /** How many runs the stored costs fold in. */
  runs: z.number().int().nonnegative(),
  perRecording: z.array(RecordingEstimate),
  /** What the estimate leaves out or guesses, one line each (e.g. a scan time not measured yet). */
  notes: z.array(z.string()),
  /** Present when the query runs in two stages (a candidate model first): each stage's part. */
  twoStage: TwoStageEstimate.optional(),
});
export type Estimate = z.infer<typeof Estimate>;

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The estimate in one line, as the Query view and `tempo ground --estimate` say it. */
export function describeEstimate(e: Estimate): string {
  if (e.twoStage) return describeTwoStage(e, e.twoStage);
  if (e.basis === 'none' || e.seconds === null)
    return `no cost measured yet for ${e.model} on ${e.device} on this machine; the first query measures it`;
  const what = plural(e.perRecording.length, 'recording');
  const time = e.seconds < 1 ? 'Under a second' : `About ${formatSeconds(e.seconds)}`;
  return `${time} on this machine for ${what} (${e.model} on ${e.device}, from ${plural(e.runs, 'run')})`;
}

/** A two-stage estimate in one line; the stages themselves are `describeStages`. */
function describeTwoStage(e: Estimate, s: TwoStageEstimate): string {
  const { candidate: c, refine: r } = s;
  if (e.basis === 'none' || e.seconds === null)
    return `no cost measured yet for ${c.model} on ${c.device} nor ${r.model} on ${r.device} on this machine; the first two-stage query measures them`;
  const what = plural(e.perRecording.length, 'recording');
  const time = formatSeconds(e.seconds);
  if (e.basis === 'partial')
    return `At least ${time} on this machine for ${what}, in two stages (a stage not measured yet is not counted)`;
  const lead = e.seconds < 1 ? 'Under a second' : `About ${time}`;
  return `${lead} on this machine for ${what}, in two stages (from ${plural(c.runs, 'run')} and ${plural(r.runs, 'run')})`;
}

/** A two-stage estimate's stages in one line (the Query view's second line); null for one stage. */
export function describeStages(e: Estimate): string | null {
  if (!e.twoStage) return null;
  const { candidate: c, refine: r } = e.twoStage;
  const part =
    r.shareRuns > 0
      ? `about ${Math.round(r.share * 100)}% of it, as ${plural(r.shareRuns, 'earlier two-stage run')} here sent`
      : 'counted over all of it (no two-stage run here yet: an upper bound)';
  return `Two stages: ${c.model} on ${c.device} reads the whole frame plan, then ${r.model} on ${r.device} ${part}`;
}
