import type { Job } from '../../../src-shared/jobs.js';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import type { AnswerProfile } from '../models/profiles/index.js';
import type { DB } from '../store/db.js';
import type { RunFailuresRepo } from '../store/run-failures.js';
import type { WindowAnswersRepo, WindowPlanRef } from '../store/window-answers.js';
import type { Recording } from '../../../src-shared/recordings.js';
import {
  currentRecording,
  digest,
  foldRunCost,
  groundOnPlan,
  runRecord,
  targetKey,
  twoStageKey,
  type GroundJobDeps,
} from './ground-job.js';
import type { Resolved } from './ground-target.js';
import { whileHeld } from './job-lease.js';
import type { QueryPayload, QueryRecording } from './query-payload.js';
import { scannedOrFresh } from './scan-job.js';
import { foldTwoStageCost } from './two-stage-cost.js';
import type { Candidate, StagedOutput } from './two-stage-run.js';

/** What a query job needs: a ground job's, the store itself (a run per recording as it ends), window answers and failures. */
export interface QueryJobDeps extends GroundJobDeps {
  db: DB;
  answers: WindowAnswersRepo;
  failures: RunFailuresRepo;
}

/** One recording of a running query job, with the job's target and this recording's share of its progress. */
export interface RecordingTask {
  job: Job;
  p: QueryPayload;
  item: QueryRecording;
  r: Resolved;
  /** A two-stage query's candidate model: it answers the windows stored and taken again; `r` refines. */
  candidate?: Candidate;
  signal: AbortSignal;
  progress: (fraction: number) => void;
}

/**
 * What makes window indices mean the same windows: the frame plan (the scan, its frames), the
 * context and frame pairing that cut it, the model (its processor prices each frame size, so
 * it moves the cuts) and the samples each window was answered with.
 */
export function windowPlanKey(a: {
  scanId: number;
  frames: readonly PlannedFrame[];
  r: Pick<Resolved, 'contextTokens' | 'profileName' | 'modelName'> & { backend: { pairsFrames: boolean } };
  p: Pick<QueryPayload, 'target' | 'samples' | 'twoStage'>;
}): string {
  const frames = a.frames.map((f) => [f.t, f.width, f.height, f.tokens]);
  const { contextTokens, profileName, modelName } = a.r;
  const how = [contextTokens, a.r.backend.pairsFrames, profileName, modelName, targetKey(a.p.target), a.p.samples];
  // A two-stage query stores its first stage's windows (`r` is then the candidate model); a one-stage key is as before.
  if (a.p.twoStage) how.push(twoStageKey(a.p.twoStage));
  return digest([a.scanId, frames, how]);
}

/** The run of one recording, with the costs it measured, in one transaction while the job's claim holds. */
function writeRun(
  deps: QueryJobDeps,
  t: RecordingTask,
  a: {
    rec: Recording;
    out: StagedOutput;
    profile: AnswerProfile;
    scanId: number;
    scanMs: number | null;
    frames: readonly PlannedFrame[];
  },
  images: number,
): number {
  const { p, item, job, r } = t;
  const ask = { query: p.query, queryId: p.queryId, samples: p.samples, budgetTokens: item.budgetTokens };
  const record = runRecord(deps, { jobId: job.id, p: ask, r, candidate: t.candidate, ...a }, a.scanId, images);
  return whileHeld(deps.db, job, () => {
    const runId = deps.runs.insert({ ...record, jobId: null, queryJobId: job.id });
    // A recording taken up after a crash measured only the windows it asked: not the whole recording's cost;
    // a two-stage run's time is two models': each stage's is folded under its own (its second stage asks anew).
    const measured = { out: a.out, frames: a.frames, rec: a.rec };
    if (t.candidate) foldTwoStageCost(deps, r, t.candidate, measured, a.scanMs);
    else if (a.out.reused === 0 && a.out.refinesReused === 0) foldRunCost(deps, r, measured, a.scanMs);
    return runId;
  });
}

/**
 * Grounds one recording of a query job and writes its run (its own transaction); returns the
 * run's id. The file is read again when it changed; a recording with no scan is scanned first
 * (the first third of its share) and that scan stored at once, not with the run: the windows
 * answered from then on are stored under its plan, which a job taken up after a crash must
 * find again. Windows stored before under the same plan are taken, not asked again, and so are
 * the dense looks of a one-stage run at the very same merged segments.
 */
export async function groundForQuery(deps: QueryJobDeps, t: RecordingTask): Promise<number> {
  const id = t.item.recordingId;
  const rec = await currentRecording(deps, id);
  const scan = await scannedOrFresh(rec, t.item.budgetTokens, deps.scans, t.signal, (f) => t.progress(f / 3));
  const scanId = scan.write();
  const ref: WindowPlanRef = {
    queryId: t.p.queryId,
    recordingId: id,
    planKey: windowPlanKey({ scanId, frames: scan.plan.frames, r: t.candidate?.r ?? t.r, p: t.p }),
  };
  const encoded = () => t.r.encodedBefore() + (t.candidate?.r.encodedBefore() ?? 0);
  const before = encoded();
  const { out, profile } = await groundOnPlan({
    rec,
    sourceKey: deps.recordings.fingerprint(rec.id) ?? rec.path,
    plan: scan.plan,
    target: t.r,
    candidate: t.candidate,
    query: t.p.query,
    samples: t.p.samples,
    cache: deps.cache,
    signal: t.signal,
    onProgress: scan.fresh ? (f) => t.progress(1 / 3 + (2 / 3) * f) : t.progress,
    answered: deps.answers.forPlan(ref),
    onWindow: (answer) => deps.answers.store(ref, answer),
    // A two-stage run refines in its second stage, which is asked again: it takes no dense looks.
    ...(t.candidate ? {} : { refined: deps.answers.denseFor(ref), onRefined: (l) => deps.answers.storeDense(ref, l) }),
  });
  const a = { rec, out, profile, scanId, scanMs: scan.scanMs, frames: scan.plan.frames };
  return writeRun(deps, t, a, encoded() - before);
}
