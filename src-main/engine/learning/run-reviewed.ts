import type { Job } from '../../../src-shared/jobs.js';
import { groundQuery, planGround } from '../api/ground.js';
import { enqueueGround } from '../api/queries.js';
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
  const { device, samples } = engine.settings.get();
  const plan = await planGround(engine, { model, device, samples });
  const jobs = engine.db.transaction(() =>
    missingPairs(engine, model)
      .filter((p) => engine.recordings.get(p.recordingId))
      .map((p) => enqueueGround(engine, p.recordingId, p.query, engine.runs.createQuery(p.query), plan)),
  )();
  if (jobs.length > 0) engine.kick();
  return jobs;
}
