import { nowIso, type DB } from './db.js';

/** A recording a query job could not ground, and why (one line). */
export interface RunFailure {
  recordingId: number;
  jobId: number;
  error: string;
  createdAt: string;
}

/**
 * Recordings a query job could not ground (the file gone or unreadable, a scan that failed):
 * noted at once, so the job goes on with the others, the Query view shows that recording as
 * failed with why, and a job taken up after a crash does not try it again.
 */
export class RunFailuresRepo {
  constructor(private readonly db: DB) {}

  /** Notes a recording's failure under a job; a second note for the same one keeps the first. */
  record(f: { queryId: number; recordingId: number; jobId: number; error: string }): void {
    this.db
      .prepare(
        `INSERT INTO run_failures (query_id, recording_id, job_id, error, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
      )
      .run(f.queryId, f.recordingId, f.jobId, f.error, nowIso());
  }

  /** The failures noted under a job, in the order they came. */
  byJob(jobId: number): RunFailure[] {
    return this.db
      .prepare(
        `SELECT recording_id AS recordingId, job_id AS jobId, error, created_at AS createdAt
         FROM run_failures WHERE job_id = ? ORDER BY id`,
      )
      .all(jobId) as RunFailure[];
  }
}
