import { z } from 'zod';
import { digest, targetKey, twoStageKey } from './ground-job.js';
import { GroundTarget, TwoStagePlan } from './ground-target.js';

const Id = z.number().int().positive();

/** One recording of a query job: the scan budget it is asked with and what it counts for in the job's progress. */
export const QueryRecording = z.object({
  recordingId: Id,
  budgetTokens: Id,
  /** Its planned visual tokens when the job was queued (query-progress.ts). */
  weight: z.number().positive(),
});
export type QueryRecording = z.infer<typeof QueryRecording>;

export const QueryPayload = z.object({
  /** The query row every run of the job belongs to; made when the job was queued. */
  queryId: Id,
  query: z.string().min(1),
  target: GroundTarget,
  samples: z.number().int().positive(),
  /** Two-stage grounding: a local candidate model first, `target` refining (jobs/ground-target.ts TwoStagePlan). */
  twoStage: TwoStagePlan.optional(),
  /** In the order they are grounded; each once. */
  recordings: z
    .array(QueryRecording)
    .min(1)
    .max(10_000)
    .refine((rs) => new Set(rs.map((r) => r.recordingId)).size === rs.length, 'a recording is listed twice'),
});
export type QueryPayload = z.infer<typeof QueryPayload>;

/**
 * One key per query asked: its text, recordings and their scan budgets, model or servers and
 * samples (not its query row, made anew by each ask, nor the progress weights). The same
 * query asked again (after kill -9, from a second terminal, a second click) joins or takes
 * over the active job holding it, and that job goes on from what it had stored.
 */
export function queryDedupeKey(p: Omit<QueryPayload, 'queryId'>): string {
  const recordings = p.recordings.map((r) => [r.recordingId, r.budgetTokens]);
  const asked = [p.query, targetKey(p.target), p.samples, recordings];
  // A two-stage query is another ask; a one-stage key is the same as before two stages.
  return `query:${digest(p.twoStage ? [...asked, twoStageKey(p.twoStage)] : asked)}`;
}
