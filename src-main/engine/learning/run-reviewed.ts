import type { Job } from '../../../src-shared/jobs.js';
import { groundQuery } from '../api/ground.js';
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
  const pairs = new Map<string, { query: string; recordingId: number }>();
  for (const v of new ReviewedRepo(engine.db).standing()) {
    pairs.set(`${v.recordingId}\u0000${v.query}`, { query: v.query, recordingId: v.recordingId });
  }
  const hasRun = engine.db.prepare(
    `SELECT 1 FROM runs r JOIN queries q ON q.id = r.query_id
     WHERE r.model_name = ? AND r.recording_id = ? AND q.text = ? LIMIT 1`,
  );
  const todo = [...pairs.values()].filter((p) => !hasRun.get(model, p.recordingId, p.query));
  let done = 0;
  for (const p of todo) {
    const rec = engine.recordings.get(p.recordingId);
    if (rec) await groundQuery(engine, rec, { query: p.query, model, onJob: opts.onJob });
    opts.onPair?.(++done, todo.length);
  }
  return todo.length;
}
