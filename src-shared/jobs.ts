import { z } from 'zod';

export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

/** 'ground': one query on one recording; 'query': one query over several recordings, resumable, one run per recording. */
export const JobType = z.enum(['import', 'scan', 'ground', 'preview', 'eval', 'install', 'query']);
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
   * 'import' job's is an ImportResult (src-shared/recordings.ts), a 'query' job's a
   * QueryJobResult; other types have none yet.
   */
  result: z.unknown().nullable(),
  createdAt: z.string(),
  /**
   * When its current run started (it was claimed to run), moved back by the time an earlier run
   * worked when the job was taken up again with progress kept (a query job after a kill -9);
   * null while it has not started. Its ETA runs from here, over its progress.
   */
  startedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type Job = z.infer<typeof Job>;

/** Emitted on every change of a job: state, progress or error. */
export type JobEvent = { kind: 'job-updated'; job: Job };

/**
 * What a done 'query' job wrote: one run per recording it grounded, and the recordings it
 * could not (each with its one-line error), in the order of the query's recordings.
 */
export const QueryJobResult = z.object({
  queryId: z.number().int().positive(),
  runs: z.array(z.object({ recordingId: z.number().int().positive(), runId: z.number().int().positive() })),
  failed: z.array(z.object({ recordingId: z.number().int().positive(), error: z.string() })),
});
export type QueryJobResult = z.infer<typeof QueryJobResult>;
