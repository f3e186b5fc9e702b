import type { QueryJobResult } from '../../../src-shared/jobs.js';
import { JobCancelledError, StoreError } from '../errors.js';
import { RemoteError } from '../grounding/remote-backend.js';
import { resolveTarget } from './ground-target.js';
import { resolveCandidate } from './two-stage-run.js';
import type { JobHandler } from './job-handler.js';
import { whileHeld } from './job-lease.js';
import type { QueryPayload } from './query-payload.js';
import { queryProgress } from './query-progress.js';
import { groundForQuery, type QueryJobDeps, type RecordingTask } from './query-recording.js';

export type { QueryJobDeps } from './query-recording.js';

/**
 * Errors that stop the whole query rather than one recording: a cancel (or the job taken over
 * by another process), the model server(s) gone (every recording would fail the same way),
 * the store failing. Anything else is the recording's (its file gone or unreadable, a scan or
 * decode that failed): noted for it, and the job goes on with the others.
 */
function stopsTheQuery(err: unknown): boolean {
  const sqlite =
    typeof (err as { code?: unknown })?.code === 'string' && /^SQLITE_/.test((err as { code: string }).code);
  return err instanceof JobCancelledError || err instanceof RemoteError || err instanceof StoreError || sqlite;
}

const oneLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

/** Grounds one recording; a failure of the recording's own is noted (in its own transaction) instead of thrown. */
async function groundOrNote(deps: QueryJobDeps, task: RecordingTask): Promise<void> {
  try {
    await groundForQuery(deps, task);
  } catch (err) {
    if (task.signal.aborted || stopsTheQuery(err)) throw err;
    const { job, p, item } = task;
    whileHeld(deps.db, job, () =>
      deps.failures.record({ queryId: p.queryId, recordingId: item.recordingId, jobId: job.id, error: oneLine(err) }),
    );
  }
}

/** What the job wrote, over every attempt, in the order of its recordings. */
function outcome(deps: QueryJobDeps, jobId: number, p: QueryPayload): QueryJobResult {
  const order = new Map(p.recordings.map((r, i) => [r.recordingId, i]));
  const byOrder = (a: { recordingId: number }, b: { recordingId: number }) =>
    (order.get(a.recordingId) ?? 0) - (order.get(b.recordingId) ?? 0);
  return {
    queryId: p.queryId,
    runs: deps.runs
      .byQueryJob(jobId)
      .map((r) => ({ recordingId: r.recordingId, runId: r.id }))
      .sort(byOrder),
    failed: deps.failures
      .byJob(jobId)
      .map((f) => ({ recordingId: f.recordingId, error: f.error }))
      .sort(byOrder),
  };
}

/**
 * The 'query' job: one query over several recordings as one job, with one progress over them
 * all. The target is resolved once; each recording is scanned when it has no scan, grounded
 * with every window's answer stored as it comes, and its run written in its own transaction as
 * soon as it is done, so results show recording by recording. Taken up again (after a kill -9,
 * or a shutdown), it skips the recordings it has a run or a failure for and reuses the windows
 * stored for the one it was on. A cancel stops it; the runs written stay. A recording that
 * fails is noted with why and the job goes on; the job fails only when every recording failed.
 */
export function queryJobHandler(deps: QueryJobDeps): JobHandler<QueryPayload> {
  return async ({ job, payload: p, signal, progress, note }) => {
    const r = await resolveTarget(deps, p.target, note);
    const candidate = await resolveCandidate(deps, p.twoStage);
    const weights = p.recordings.map((item) => item.weight);
    const ended = new Set([
      ...deps.runs.byQueryJob(job.id).map((run) => run.recordingId),
      ...deps.failures.byJob(job.id).map((f) => f.recordingId),
    ]);
    let loaded = false;
    for (const [i, item] of p.recordings.entries()) {
      if (signal.aborted) throw new JobCancelledError();
      if (ended.has(item.recordingId)) continue;
      progress(queryProgress(weights, i, 0));
      // The model's load time goes with the first run that waited for it.
      const target = loaded ? { ...r, loadMs: 0 } : r;
      loaded = true;
      await groundOrNote(deps, {
        job,
        p,
        item,
        r: target,
        candidate,
        signal,
        progress: (f) => progress(queryProgress(weights, i, f)),
      });
    }
    const result = outcome(deps, job.id, p);
    const first = result.failed[0];
    if (result.runs.length === 0 && first)
      throw new Error(`every recording failed; recording ${first.recordingId}: ${first.error}`);
    return () => outcome(deps, job.id, p);
  };
}
