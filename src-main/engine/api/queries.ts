import type { CallInput, CallOutput, QueryRun, Segment } from '../../../src-shared/api.js';
import type { Job } from '../../../src-shared/jobs.js';
import type { Recording } from '../../../src-shared/recordings.js';
import type { Engine } from '../engine.js';
import type { GroundPayload } from '../jobs/ground-job.js';
import { scanBudget } from '../jobs/scan-job.js';
import { NotFoundError, UsageError } from '../errors.js';
import { checkQuery, planGround, type GroundPlan } from './ground.js';
import { settingsServers } from './settings.js';

/**
 * Queues one ground job: a query text on a recording under a query row, with a checked plan and
 * the recording's scan budget (the default when it has no scan yet: its job scans first).
 */
export function enqueueGround(
  engine: Engine,
  recordingId: number,
  query: string,
  queryId: number,
  plan: GroundPlan,
): Job {
  const payload: GroundPayload = {
    recordingId,
    query,
    queryId,
    target: plan.target,
    samples: plan.samples,
    budgetTokens: scanBudget(engine.scans, recordingId),
  };
  return engine.jobs.enqueue('ground', payload, { recordingId });
}

/** How the workstation asks a query: the model, device, model server (or pool), and samples of its settings. */
export function settingsRequest(engine: Engine): {
  model?: string;
  device?: string;
  server?: string[];
  perServer?: number;
  samples: number;
} {
  const s = engine.settings.get();
  const servers = settingsServers(s);
  return {
    model: s.model ?? undefined,
    device: s.serverUrl ? undefined : s.device,
    ...(servers.length > 0 ? { server: servers } : {}),
    ...(servers.length > 1 ? { perServer: s.perServer } : {}),
    samples: s.samples,
  };
}

/** The recordings a query is over: those listed (each must exist), none listed: the whole library (not empty). */
export function queryRecordings(engine: Engine, recordingIds: readonly number[]): Recording[] {
  const recs =
    recordingIds.length > 0
      ? recordingIds.map((id) => {
          const rec = engine.recordings.get(id);
          if (!rec) throw new NotFoundError(`no recording with id ${id}`);
          return rec;
        })
      : engine.recordings.list();
  if (recs.length === 0) throw new UsageError('the library is empty: import recordings first');
  return recs;
}

/**
 * Starts a query over some recordings (none listed: the whole library) with the model,
 * device or server of the settings: everything is checked first (query, model, device,
 * server reachable), then one ground job per recording is queued under one query row and
 * the jobs are started without waiting. Results arrive as the jobs end.
 */
export async function runQuery(engine: Engine, input: CallInput<'query.run'>): Promise<CallOutput<'query.run'>> {
  const text = checkQuery(input.text);
  const plan = await planGround(engine, settingsRequest(engine));
  const recs = queryRecordings(engine, input.recordingIds);
  const queryId = engine.db.transaction(() => {
    const id = engine.runs.createQuery(text);
    for (const rec of recs) enqueueGround(engine, rec.id, text, id, plan);
    return id;
  })();
  engine.kick();
  return { query: engine.runs.query(queryId) as CallOutput<'query.run'>['query'] };
}

export function listQueries(engine: Engine): CallOutput<'query.list'> {
  return { queries: engine.runs.queries() };
}

/** Per window: 0 where the model refused, else the best confidence of the run's segments inside it. */
function relevance(windowPlan: unknown, segments: readonly Segment[]): QueryRun['relevance'] {
  if (!Array.isArray(windowPlan)) return [];
  return (windowPlan as { startS: number; endS: number; refused: boolean }[]).map((w) => {
    const inside = segments.filter((s) => s.endS > w.startS && s.startS < w.endS && s.confidence !== null);
    const best = Math.max(0, ...inside.map((s) => s.confidence as number));
    return { startS: w.startS, endS: w.endS, score: w.refused ? 0 : best };
  });
}

export function queryResults(engine: Engine, { queryId }: CallInput<'query.results'>): CallOutput<'query.results'> {
  const query = engine.runs.query(queryId);
  if (!query) throw new NotFoundError(`no query ${queryId}`);
  const segments = engine.segments.byQuery(queryId);
  const runs = engine.runs.byQuery(queryId);
  const byJob = new Map(runs.filter((r) => r.jobId !== null).map((r) => [r.jobId as number, r]));
  const jobs = engine.jobs.byPayload('ground', 'queryId', queryId);
  const out: QueryRun[] = jobs.map((job) => {
    const run = byJob.get(job.id);
    return {
      recordingId: job.recordingId as number,
      jobId: job.id,
      state: job.state,
      progress: job.progress,
      error: job.error,
      runId: run?.id ?? null,
      model: run?.modelName ?? null,
      device: run?.device ?? null,
      refused: run ? run.refused : null,
      relevance: run
        ? relevance(
            run.windowPlan,
            segments.filter((s) => s.runId === run.id),
          )
        : [],
    };
  });
  // Runs made outside the job queue's query (none today) still show.
  for (const run of runs) {
    if (run.jobId !== null && jobs.some((j) => j.id === run.jobId)) continue;
    out.push({
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
    });
  }
  return { query, segments, runs: out };
}
