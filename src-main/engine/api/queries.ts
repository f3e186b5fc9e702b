import type { CallInput, CallOutput } from '../../../src-shared/api.js';
import type { Job } from '../../../src-shared/jobs.js';
import type { Recording } from '../../../src-shared/recordings.js';
import type { Engine } from '../engine.js';
import type { GroundPayload } from '../jobs/ground-job.js';
import { scanBudget } from '../jobs/scan-job.js';
import { NotFoundError, UsageError } from '../errors.js';
import { checkQuery, planGround, type GroundPlan } from './ground.js';
import { enqueueQuery } from './library-query.js';
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
    ...(plan.twoStage ? { twoStage: plan.twoStage } : {}),
  };
  return engine.jobs.enqueue('ground', payload, { recordingId });
}

/**
 * How the workstation asks a query: the model, device, model server (or pool), and samples of
 * its settings; with a candidate model, in two stages, the model or server (pool) refining.
 */
export function settingsRequest(engine: Engine): {
  model?: string;
  device?: string;
  server?: string[];
  perServer?: number;
  samples: number;
  candidates?: string;
  refineBelow?: number;
  auditShare?: number;
} {
  const s = engine.settings.get();
  const servers = settingsServers(s);
  // The candidate model is local, on the settings' device, whatever the refining backend.
  const twoStage = s.candidateModel
    ? { candidates: s.candidateModel, refineBelow: s.refineBelow, auditShare: s.auditShare }
    : {};
  return {
    model: s.model ?? undefined,
    device: s.serverUrl && !s.candidateModel ? undefined : s.device,
    ...(servers.length > 0 ? { server: servers } : {}),
    ...(servers.length > 1 ? { perServer: s.perServer } : {}),
    samples: s.samples,
    ...twoStage,
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
 * server reachable), then one query job is queued under one query row (or the same query's
 * active job joined) and started without waiting. Results arrive recording by recording.
 */
export async function runQuery(engine: Engine, input: CallInput<'query.run'>): Promise<CallOutput<'query.run'>> {
  const text = checkQuery(input.text);
  const plan = await planGround(engine, settingsRequest(engine));
  const recs = queryRecordings(engine, input.recordingIds);
  const { queryId } = enqueueQuery(engine, text, recs, plan);
  engine.kick();
  return { query: engine.runs.query(queryId) as CallOutput<'query.run'>['query'] };
}

export { queryResults } from './query-results.js';

export function listQueries(engine: Engine): CallOutput<'query.list'> {
  return { queries: engine.runs.queries() };
}
