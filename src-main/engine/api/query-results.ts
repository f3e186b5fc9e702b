/**
 * `query.results`: a query's segments ranked across recordings, and one row per recording
 * saying how it fares: from its 'ground' job (a query asked before query jobs, or by the
 * Model quality view), or from the query's one 'query' job and the runs and failures it wrote.
 */
import { SegmentStage, type CallInput, type CallOutput, type QueryRun, type Segment } from '../../../src-shared/api.js';
import type { Job } from '../../../src-shared/jobs.js';
import type { Engine } from '../engine.js';
import { NotFoundError } from '../errors.js';
import { QueryPayload } from '../jobs/query-payload.js';
import { recordingProgress } from '../jobs/query-progress.js';
import { stagesOf } from './run-stages.js';

type StoredRun = ReturnType<Engine['runs']['byQuery']>[number];

/** Per window: 0 where the model refused, else the best confidence of the run's segments inside it. */
function relevance(windowPlan: unknown, segments: readonly Segment[]): QueryRun['relevance'] {
  if (!Array.isArray(windowPlan)) return [];
  return (windowPlan as { startS: number; endS: number; refused: boolean }[]).map((w) => {
    const inside = segments.filter((s) => s.endS > w.startS && s.startS < w.endS && s.confidence !== null);
    const best = Math.max(0, ...inside.map((s) => s.confidence as number));
    return { startS: w.startS, endS: w.endS, score: w.refused ? 0 : best };
  });
}

/** The row of a recording whose run is written. */
function doneRow(run: StoredRun, segments: readonly Segment[]): QueryRun {
  return {
    recordingId: run.recordingId,
    jobId: run.jobId,
    state: 'done',
    progress: 1,
    error: null,
    runId: run.id,
    model: run.modelName,
    device: run.device,
    refused: run.refused,
    relevance: relevance(
      run.windowPlan,
      segments.filter((s) => s.runId === run.id),
    ),
  };
}

/** The row of a recording with no run (yet). */
function pendingRow(
  recordingId: number,
  job: Job,
  state: QueryRun['state'],
  progress: number,
  error: string | null,
): QueryRun {
  const none = { runId: null, model: null, device: null, refused: null, relevance: [] };
  return { recordingId, jobId: job.id, state, progress, error, ...none };
}

/** A ground job's row: its state and progress, and its run once written. */
function groundRow(job: Job, run: StoredRun | undefined, segments: readonly Segment[]): QueryRun {
  if (!run) return pendingRow(job.recordingId as number, job, job.state, job.progress, job.error);
  return { ...doneRow(run, segments), state: job.state, progress: job.progress, error: job.error };
}

/**
 * A query job's rows, one per recording in the order it grounds them: done once its run is
 * written, failed once a failure is noted for it; the first of the others is the one running
 * (its progress read back from the job's, query-progress.ts), the rest wait; when the job
 * ended without them, they end as it did (failed with its error, or cancelled).
 */
function queryJobRows(engine: Engine, job: Job, runs: readonly StoredRun[], segments: readonly Segment[]): QueryRun[] {
  const parsed = QueryPayload.safeParse(job.payload);
  if (!parsed.success) return [];
  const items = parsed.data.recordings;
  const written = new Map(runs.filter((r) => r.jobId === job.id).map((r) => [r.recordingId, r]));
  const failed = new Map(engine.failures.byJob(job.id).map((f) => [f.recordingId, f.error]));
  const current = items.findIndex((it) => !written.has(it.recordingId) && !failed.has(it.recordingId));
  const weights = items.map((it) => it.weight);
  return items.map((it, i) => {
    const run = written.get(it.recordingId);
    if (run) return doneRow(run, segments);
    const error = failed.get(it.recordingId);
    if (error !== undefined) return pendingRow(it.recordingId, job, 'failed', 0, error);
    if (job.state === 'running' && i === current)
      return pendingRow(it.recordingId, job, 'running', recordingProgress(weights, i, job.progress), null);
    if (job.state === 'queued' || job.state === 'running') return pendingRow(it.recordingId, job, 'queued', 0, null);
    if (job.state === 'cancelled') return pendingRow(it.recordingId, job, 'cancelled', 0, null);
    return pendingRow(it.recordingId, job, 'failed', 0, job.error ?? 'the query ended without grounding it');
  });
}

/**
 * The segments with the stage each came from, where its run had two stages: the run stores its
 * segments' stages in rank order (jobs/two-stage-run.ts). The others are left as they are.
 */
export function withStages(
  segments: readonly Segment[],
  runs: readonly Pick<StoredRun, 'id' | 'settings'>[],
): Segment[] {
  const byRun = new Map(runs.map((r) => [r.id, stagesOf(r.settings).stages?.segmentStages ?? []]));
  return segments.map((s) => {
    const named = s.runId !== null && s.rank !== null ? byRun.get(s.runId)?.[s.rank - 1] : undefined;
    const stage = SegmentStage.safeParse(named);
    return stage.success ? { ...s, stage: stage.data } : s;
  });
}

export function queryResults(engine: Engine, { queryId }: CallInput<'query.results'>): CallOutput<'query.results'> {
  const query = engine.runs.query(queryId);
  if (!query) throw new NotFoundError(`no query ${queryId}`);
  const runs = engine.runs.byQuery(queryId);
  // Most confident first across recordings (store/segments.ts byQuery): the ranking the Query view shows.
  const segments = withStages(engine.segments.byQuery(queryId), runs);
  const byJob = new Map(runs.filter((r) => r.jobId !== null).map((r) => [r.jobId as number, r]));
  const out: QueryRun[] = [
    ...engine.jobs.byPayload('ground', 'queryId', queryId).map((job) => groundRow(job, byJob.get(job.id), segments)),
    ...engine.jobs.byPayload('query', 'queryId', queryId).flatMap((job) => queryJobRows(engine, job, runs, segments)),
  ];
  // Runs made outside the job queue (none today) still show.
  for (const run of runs) if (!out.some((r) => r.runId === run.id)) out.push(doneRow(run, segments));
  return { query, segments, runs: out };
}
