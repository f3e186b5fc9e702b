import { z } from 'zod';

export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

export const JobType = z.enum(['import', 'scan', 'ground', 'preview', 'eval', 'install']);
export type JobType = z.infer<typeof JobType>;

export const Job = z.object({
  id: z.number().int().positive(),
  type: JobType,
  state: JobState,
  progress: z.number().min(0).max(1),
  attempts: z.number().int().nonnegative(),
  maxAttempts: z.number().int().positive(),
  error: z.string().nullable(),
  payload: z.unknown(),
  recordingId: z.number().int().positive().nullable(),
  cancelRequested: z.boolean(),
  /**
   * What a job that ended done returns to whoever asked for it; null for the others. An
   * 'import' job's is an ImportResult (src-shared/recordings.ts); other types have none yet.
   */
  result: z.unknown().nullable(),
  createdAt: z.string(),
  /** When its current run started (it was claimed to run); null while it has not. Its ETA runs from here. */
  startedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type Job = z.infer<typeof Job>;

/** Emitted on every change of a job: state, progress or error. */
export type JobEvent = { kind: 'job-updated'; job: Job };
