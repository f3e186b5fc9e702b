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

export const Estimate = z.object({
  model: z.string(),
  device: z.string(),
  /** Null when `basis` is 'none'. */
  seconds: Seconds.nullable(),
  /** 'measured': from costs of earlier runs here; 'none': nothing measured yet for this model and device. */
  basis: z.enum(['measured', 'none']),
  /** How many runs the stored costs fold in. */
  runs: z.number().int().nonnegative(),
  perRecording: z.array(RecordingEstimate),
  /** What the estimate leaves out or guesses, one line each (e.g. a scan time not measured yet). */
  notes: z.array(z.string()),
});
export type Estimate = z.infer<typeof Estimate>;

/** The estimate in one line, as the Query view and `tempo ground --estimate` say it. */
export function describeEstimate(e: Estimate): string {
  if (e.basis === 'none' || e.seconds === null)
    return `no cost measured yet for ${e.model} on ${e.device} on this machine; the first query measures it`;
  const n = e.perRecording.length;
  const what = n === 1 ? '1 recording' : `${n} recordings`;
  const from = e.runs === 1 ? '1 run' : `${e.runs} runs`;
  const time = e.seconds < 1 ? 'Under a second' : `About ${formatSeconds(e.seconds)}`;
  return `${time} on this machine for ${what} (${e.model} on ${e.device}, from ${from})`;
}
