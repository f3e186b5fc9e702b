/**
 * A query over several recordings (the whole library, or some) as one 'query' job: queued
 * under one query row, or joined when the same query is running already; and run to its end
 * for `tempo ground all|ID ID... "QUERY"`, with the segments ranked across recordings.
 */
import { QueryJobResult, type Job } from '../../../src-shared/jobs.js';
import type { Recording } from '../../../src-shared/recordings.js';
import type { Engine } from '../engine.js';
import { JobFailedError } from '../errors.js';
import { QueryPayload, queryDedupeKey } from '../jobs/query-payload.js';
import { scanBudget } from '../jobs/scan-job.js';
import { checkQuery, planGround, serversLeftOf, type GroundPlan, type GroundRequest } from './ground.js';
import { stagesOf, type RunStages } from './run-stages.js';
import { planAll } from './planned-tokens.js';
import { runJob } from './run-job.js';

/**
 * Queues the query job of a query over `recs`, each weighed by its planned visual tokens (the
 * job's progress, jobs/query-progress.ts) and asked with its scan budget, under a new query
 * row; or, when the same query (text, recordings, model, samples) is queued or running
 * already, returns that job and its query row: it goes on from what it has stored.
 */
export function enqueueQuery(
  engine: Engine,
  text: string,
  recs: readonly Recording[],
  plan: GroundPlan,
): { job: Job; queryId: number } {
  const recordings = planAll(engine, recs, []).map((p) => ({
    recordingId: p.rec.id,
    budgetTokens: scanBudget(engine.scans, p.rec.id),
    weight: Math.max(1, p.tokens),
  }));
  const twoStage = plan.twoStage ? { twoStage: plan.twoStage } : {};
  const ask = { query: text, target: plan.target, samples: plan.samples, ...twoStage, recordings };
  const dedupeKey = queryDedupeKey(ask);
  return engine.db
    .transaction(() => {
      const active = engine.jobs.active(dedupeKey);
      if (active) {
        const asked = QueryPayload.safeParse(active.payload);
        if (!asked.success) throw new JobFailedError(`query job ${active.id} has a payload this build cannot read`);
        return { job: active, queryId: asked.data.queryId };
      }
      const queryId = engine.runs.createQuery(text);
      const payload: QueryPayload = { ...ask, queryId };
      return { job: engine.jobs.enqueue('query', payload, { dedupeKey }), queryId };
    })
    .immediate();
}

/** What a query over several recordings found: each recording's run or failure, and the segments ranked across them. */
export interface LibraryQueryResult {
  queryId: number;
  query: string;
  jobId: number;
  model: string;
  device: string;
  /** Each recording's run; a two-stage run's record per stage in `stages` (api/ground.ts stagesOf). */
  runs: {
    recordingId: number;
    runId: number;
    refused: boolean;
    timings: Record<string, unknown>;
    stages?: RunStages;
  }[];
  /** Recordings that could not be grounded (the file gone, unreadable), each with its one-line error. */
  failed: { recordingId: number; error: string }[];
  /** Most confident first, across recordings. */
  segments: { recordingId: number; runId: number; startS: number; endS: number; confidence: number }[];
  /** Servers of a pool that failed while the query went on, one line each; absent when none did. */
  serversLeft?: string[];
}

/**
 * Finds where a query happens in several recordings as one job: checks the query, model and
 * device first, runs the query job here (joining or taking over the same query's active job),
 * and returns each recording's run and the segments ranked across them. The job fails only
 * when every recording failed; a recording that failed alone is in `failed`.
 */
export async function groundRecordings(
  engine: Engine,
  recs: readonly Recording[],
  req: GroundRequest,
): Promise<LibraryQueryResult> {
  const query = checkQuery(req.query);
  const plan = await planGround(engine, req);
  const queued = enqueueQuery(engine, query, recs, plan);
  const what = `the query over ${recs.length} recordings`;
  const job = await runJob(engine, queued.job, what, req.onJob);
  const result = QueryJobResult.safeParse(job.result);
  if (!result.success) throw new JobFailedError(`query job ${job.id} finished without its result`);
  const stored = result.data.runs.flatMap((r) => engine.runs.get(r.runId) ?? []);
  const first = stored[0];
  if (!first) throw new JobFailedError(`query job ${job.id} finished without a run`);
  const mine = new Set(stored.map((r) => r.id));
  const segments = engine.segments
    .byQuery(result.data.queryId)
    .filter((s) => s.source === 'model' && s.runId !== null && mine.has(s.runId) && s.confidence !== null)
    .map((s) => ({
      recordingId: s.recordingId,
      runId: s.runId as number,
      startS: s.startS,
      endS: s.endS,
      confidence: s.confidence as number,
    }));
  const left = [...new Set(stored.flatMap((r) => serversLeftOf(r.settings)))];
  return {
    queryId: result.data.queryId,
    query,
    jobId: job.id,
    model: first.modelName,
    device: first.device,
    runs: stored.map((r) => ({
      recordingId: r.recordingId,
      runId: r.id,
      refused: r.refused,
      timings: r.timings,
      ...stagesOf(r.settings),
    })),
    failed: result.data.failed,
    segments,
    ...(left.length > 0 ? { serversLeft: left } : {}),
  };
}
