import type { z } from 'zod';
import type { Job, JobType } from '../../../src-shared/jobs.js';
import type { DB } from '../store/db.js';

export interface JobContext<P = unknown> {
  job: Job;
  /** The job's payload, parsed by its type's schema when the job started. */
  payload: P;
  signal: AbortSignal;
  /** Reports progress in [0,1]; values never go backwards. */
  progress(fraction: number): void;
  /**
   * Says one line to whoever follows the job in this process as it happens (a model server that
   * left the pool); not stored: what lasts goes in the job's result or run.
   */
  note?(line: string): void;
}

/**
 * Does a job's work and returns the writes that finish it. The queue runs those writes in the
 * same transaction that marks the job done, so a job killed at any point leaves no rows and,
 * run again, writes them exactly once.
 */
export type JobHandler<P = unknown> = (ctx: JobContext<P>) => Promise<(db: DB) => unknown>;

/** A handler and the schema its payloads are parsed with when a job starts (a bad one fails that job). */
export interface Registered {
  handler: JobHandler;
  payload: z.ZodType | null;
}

/** A one-line reason for a payload its type's schema refuses. */
export function payloadProblem(type: JobType, error: z.ZodError): string {
  const issue = error.issues[0];
  return `bad ${type} payload: ${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`;
}

/** A job's payload as its handler gets it: parsed by its type's schema, where it has one; one line on why it is refused. */
export function parsedPayload(registered: Registered, job: Pick<Job, 'type' | 'payload'>): unknown {
  if (!registered.payload) return job.payload;
  const parsed = registered.payload.safeParse(job.payload);
  if (!parsed.success) throw new Error(payloadProblem(job.type, parsed.error));
  return parsed.data;
}
