import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Recording } from '../../../src-shared/recordings.js';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import type { DiskCache } from '../cache/disk-cache.js';
import type { GroundInput } from '../grounding/pipeline.js';
import type { AnswerProfile } from '../models/profiles/index.js';
import { ensureCurrentFile } from '../store/file-changes.js';
import type { CostsRepo } from '../store/costs.js';
import type { RecordingsRepo } from '../store/recordings.js';
import type { RunsRepo } from '../store/runs.js';
import type { ScansRepo } from '../store/scans.js';
import {
  GroundTarget,
  resolveTarget,
  serverUrls,
  TwoStagePlan,
  type Resolved,
  type TargetDeps,
} from './ground-target.js';
import {
  groundWith,
  resolveCandidate,
  segmentModel,
  stagesSettings,
  type Candidate,
  type StagedOutput,
} from './two-stage-run.js';
import type { JobHandler } from './job-handler.js';
import { scannedOrFresh } from './scan-job.js';
import { foldTwoStageCost, withPlanned } from './two-stage-cost.js';

export const GroundPayload = z.object({
  recordingId: z.number().int().positive(),
  query: z.string().min(1),
  /** The query row the run belongs to (one query over several recordings); a new one when absent. */
  queryId: z.number().int().positive().optional(),
  target: GroundTarget,
  samples: z.number().int().positive(),
  budgetTokens: z.number().int().positive(),
  /** Two-stage grounding: a local candidate model first, `target` refining (jobs/ground-target.ts TwoStagePlan). */
  twoStage: TwoStagePlan.optional(),
});
export type GroundPayload = z.infer<typeof GroundPayload>;

export interface GroundJobDeps extends TargetDeps {
  recordings: RecordingsRepo;
  scans: ScansRepo;
  runs: RunsRepo;
  /** Where each finished run's measured costs are folded in (the estimate of the next query); none: not kept. */
  costs?: CostsRepo;
  /** A model's confidence calibrator, when it has one (learning/calibration.ts calibratorFor). */
  calibration?: (modelName: string) => { apply: (confidence: number) => number; info: unknown } | null;
}

/** What names a target in a dedupe key: the model folder and device, or the server(s), model, profile and context. */
export function targetKey(t: GroundTarget): Record<string, unknown> {
  // A pool's servers are part of it; one server's key is the same as before pools.
  const pool = t.kind === 'server' && serverUrls(t).length > 1 ? { urls: serverUrls(t) } : {};
  return t.kind === 'local'
    ? { kind: t.kind, modelDir: t.modelDir, device: t.device }
    : { kind: t.kind, url: t.url, model: t.model, profile: t.profile, contextTokens: t.contextTokens, ...pool };
}

/** What names a two-stage plan in a key: its candidate model and device and how it splits the work. */
export function twoStageKey(t: TwoStagePlan): Record<string, unknown> {
  return { ...t, candidates: targetKey(t.candidates) };
}

/** A short hex digest of some JSON, for keys. */
export function digest(what: unknown): string {
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 32);
}

/**
 * One key per ground asked: the recording, query, query row, model or servers and settings. A
 * rerun of the same ground (after kill -9, or from a second terminal) joins or takes over the
 * active job holding it instead of queueing a second one that would write the run twice.
 */
export function groundDedupeKey(p: GroundPayload): string {
  const asked = [p.query, p.queryId ?? null, targetKey(p.target), p.samples, p.budgetTokens];
  // A two-stage ground is another ask; a one-stage key is the same as before two stages.
  return `ground:${p.recordingId}:${digest(p.twoStage ? [...asked, twoStageKey(p.twoStage)] : asked)}`;
}

/**
 * Runs the grounding pipeline over a recording's frame plan with a resolved target (ground and
 * eval jobs); in two stages when a candidate model is given (jobs/two-stage-run.ts).
 */
export async function groundOnPlan(a: {
  rec: Recording;
  sourceKey: string;
  plan: { frames: readonly PlannedFrame[]; changePoints: readonly number[] };
  target: Resolved;
  /** A two-stage run's candidate model and plan; `target` then refines. */
  candidate?: Candidate;
  query: string;
  samples: number;
  cache?: DiskCache;
  signal: AbortSignal;
  onProgress: (fraction: number) => void;
  /** Windows and dense looks answered before, and where each new one goes (a query job's resume: GroundInput). */
  answered?: GroundInput['answered'];
  onWindow?: GroundInput['onWindow'];
  refined?: GroundInput['refined'];
  onRefined?: GroundInput['onRefined'];
}): Promise<{ out: StagedOutput; profile: AnswerProfile }> {
  return groundWith({
    source: { file: a.rec.path, key: a.sourceKey, sourceFps: a.rec.fps },
    durationS: a.rec.durationS,
    query: a.query,
    frames: a.plan.frames,
    changePoints: a.plan.changePoints,
    cache: a.cache,
    signal: a.signal,
    onProgress: a.onProgress,
    answered: a.answered,
    onWindow: a.onWindow,
    refined: a.refined,
    onRefined: a.onRefined,
    target: a.target,
    samples: a.samples,
    candidate: a.candidate,
  });
}

/** What a run was asked: the query (under its query row), samples and scan budget. */
export type RunAsk = Pick<GroundPayload, 'query' | 'queryId' | 'samples' | 'budgetTokens'>;

/**
 * The run a finished ground (or query) job stores: its segments calibrated when the model has
 * a calibrator, and in its timings how many windows were asked and how many taken from answers
 * stored before (a query job taken up after a crash).
 */
export function runRecord(
  deps: Pick<GroundJobDeps, 'calibration'>,
  a: {
    jobId: number;
    p: RunAsk;
    rec: Recording;
    r: Resolved;
    /** A two-stage run's candidate model: its segments take its calibrator. */
    candidate?: Candidate;
    out: StagedOutput;
    profile: AnswerProfile;
    /** Time of the scan the job made first; null when it used a stored one. */
    scanMs: number | null;
    /** The frame plan it ran on: a two-stage run keeps what each stage read of it (two-stage-cost.ts). */
    frames?: readonly PlannedFrame[];
  },
  scanId: number,
  imagesEncoded: number,
) {
  const { p, r, out } = a;
  // Read at the end, so a calibrator fitted while the job ran applies; the model's own confidence is kept.
  const cal = deps.calibration?.(r.modelName) ?? null;
  const calFor = (model: string) => (model === r.modelName ? cal : (deps.calibration?.(model) ?? null));
  const left = r.serversLeft?.() ?? [];
  return {
    query: p.query,
    queryId: p.queryId,
    recordingId: a.rec.id,
    modelName: r.modelName,
    device: r.backend.device,
    scanId,
    jobId: a.jobId,
    windowPlan: out.windows,
    settings: {
      ...r.settings,
      samples: p.samples,
      profile: a.profile.name,
      budgetTokens: p.budgetTokens,
      contextTokens: r.contextTokens,
      pairFrames: r.backend.pairsFrames,
      notes: out.notes,
      calibration: cal?.info ?? null,
      // Servers of a pool that failed during the run: their windows were answered by the others.
      ...(left.length > 0 ? { serversLeft: left } : {}),
      ...withPlanned(stagesSettings(out), out, a.frames),
    },
    refused: out.refused,
    timings: {
      ...out.timings,
      loadMs: r.loadMs,
      scanMs: a.scanMs,
      framesCached: out.frames.cached,
      framesDecoded: out.frames.decoded,
      imagesEncoded,
      windowsAsked: out.windows.length - out.reused,
      windowsReused: out.reused,
      refinesReused: out.refinesReused,
      // What the backend was sent (windows asked and dense looks): the figure two stages cut.
      visualTokensSent: out.visualTokens,
    },
    segments: out.segments.map(({ startS, endS, confidence, stage }) => {
      const c = calFor(segmentModel(stage, r, a.candidate));
      return { startS, endS, confidence: c ? c.apply(confidence) : confidence, rawConfidence: confidence };
    }),
  };
}

/**
 * The recording of a job, read again first when its file changed since it was read (replaced,
 * or still being written at import): its old scan is dropped and frames cached under its old
 * fingerprint are not used.
 */
export async function currentRecording(deps: Pick<GroundJobDeps, 'recordings'>, id: number): Promise<Recording> {
  await ensureCurrentFile(deps.recordings, id);
  const rec = deps.recordings.get(id);
  if (!rec) throw new Error(`recording ${id} is not in the library`);
  return rec;
}

/** A one-stage run's measured cost folded into `costs` (what the next estimate multiplies planned tokens by). */
export function foldRunCost(
  deps: Pick<GroundJobDeps, 'costs'>,
  r: Resolved,
  a: { out: { timings: { totalMs: number; decodeMs: number } }; frames: readonly PlannedFrame[]; rec: Recording },
  scanMs: number | null,
): void {
  deps.costs?.recordRun(r.modelName, r.backend.device, {
    totalMs: a.out.timings.totalMs,
    decodeMs: a.out.timings.decodeMs,
    plannedTokens: a.frames.reduce((sum, f) => sum + f.tokens, 0),
    durationS: a.rec.durationS,
    scanMs,
  });
}

/**
 * The 'ground' job: the Tempo-R0 pipeline over one recording; the run is stored with its end.
 * A recording not scanned yet is scanned first (the first third of the progress) and that
 * scan is stored in the same finishing transaction as the run.
 */
export function groundJobHandler(deps: GroundJobDeps): JobHandler<GroundPayload> {
  return async ({ job, payload: p, signal, progress, note }) => {
    const rec = await currentRecording(deps, p.recordingId);
    const scan = await scannedOrFresh(rec, p.budgetTokens, deps.scans, signal, (f) => progress(f / 3));
    const { scanMs } = scan;
    const r = await resolveTarget(deps, p.target, note);
    const candidate = await resolveCandidate(deps, p.twoStage);
    const { out, profile } = await groundOnPlan({
      rec,
      sourceKey: deps.recordings.fingerprint(rec.id) ?? rec.path,
      plan: scan.plan,
      target: r,
      candidate,
      query: p.query,
      samples: p.samples,
      cache: deps.cache,
      signal,
      onProgress: scan.fresh ? (f) => progress(1 / 3 + (2 / 3) * f) : progress,
    });
    const imagesEncoded = r.encodedBefore() + (candidate?.r.encodedBefore() ?? 0);
    return () => {
      const frames = scan.plan.frames;
      const a = { jobId: job.id, p, rec, r, candidate, out, profile, scanMs, frames };
      const runId = deps.runs.insert(runRecord(deps, a, scan.write(), imagesEncoded));
      // Written with the run, so a job killed before its end folds nothing, and one run again folds once.
      // A two-stage run's time is two models': each stage's is folded under its own.
      if (candidate) foldTwoStageCost(deps, r, candidate, { out, frames, rec }, scanMs);
      else foldRunCost(deps, r, { out, frames, rec }, scanMs);
      return runId;
    };
  };
}
