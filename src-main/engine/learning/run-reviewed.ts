import type { Job } from '../../../src-shared/jobs.js';
import { DEFAULT_SCAN_BUDGET } from '../../../src-shared/scans.js';
import { groundQuery, planGround } from '../api/ground.js';
import type { GroundPayload } from '../jobs/ground-job.js';
import type { Engine } from '../engine.js';
import { ReviewedRepo } from '../store/reviewed.js';

/**
 * Makes a model comparable at once: runs it on every reviewed (query text, recording) pair it
 * has no run for, with the same pipeline an operator's query uses. Returns how many it ran.
 */
export async function runReviewed(
  engine: Engine,
  model: string,
  opts: { onJob?: (job: Job) => void; onPair?: (done: number, total: number) => void } = {},
): Promise<number> {
  const todo = missingPairs(engine, model);
  let done = 0;
  for (const p of todo) {
    const rec = engine.recordings.get(p.recordingId);
    if (rec) await groundQuery(engine, rec, { query: p.query, model, onJob: opts.onJob });
    opts.onPair?.(++done, todo.length);
  }
  return todo.length;
}

/** The reviewed (query text, recording) pairs with a known truth that a model has no run on. */
export function missingPairs(engine: Engine, model: string): { query: string; recordingId: number }[] {
  const pairs = new Map<string, { query: string; recordingId: number }>();
  for (const v of new ReviewedRepo(engine.db).standing()) {
    // Only pairs with a known truth are scored: a moment (a span) or a "not present" rejection.
    if (v.span === null && v.reason !== 'not-present') continue;
    pairs.set(`${v.recordingId}\u0000${v.query}`, { query: v.query, recordingId: v.recordingId });
  }
  const hasRun = engine.db.prepare(
    `SELECT 1 FROM runs r JOIN queries q ON q.id = r.query_id
     WHERE r.model_name = ? AND r.recording_id = ? AND q.text = ? LIMIT 1`,
  );
  return [...pairs.values()].filter((p) => !hasRun.get(model, p.recordingId, p.query));
}

/**
 * The same without waiting (the workstation): one ground job per missing pair, each under a
 * query row of its own text, started in the background. Returns the queued jobs.
 */
export async function queueReviewed(engine: Engine, model: string): Promise<Job[]> {
  const plan = await planGround(engine, {
    model,
    device: engine.settings.get().device,
    samples: engine.settings.get().samples,
  });
  const jobs = engine.db.transaction(() =>
    missingPairs(engine, model)
      .filter((p) => engine.recordings.get(p.recordingId))
      .map((p) => {
        const scan = engine.scans.latest(p.recordingId);
        const payload: GroundPayload = {
          recordingId: p.recordingId,
          query: p.query,
          queryId: engine.runs.createQuery(p.query),
          target: plan.target,
          samples: plan.samples,
          budgetTokens: scan?.budgetTokens ?? DEFAULT_SCAN_BUDGET,
        };
        return engine.jobs.enqueue('ground', payload, { recordingId: p.recordingId });
      }),
  )();
  if (jobs.length > 0) engine.kick();
  return jobs;
}
