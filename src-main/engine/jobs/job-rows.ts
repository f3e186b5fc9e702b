import type { Job, JobType } from '../../../src-shared/jobs.js';

/** A row of the jobs table as SQLite gives it. */
export interface JobRow {
  id: number;
  type: JobType;
  state: Job['state'];
  progress: number;
  attempts: number;
  max_attempts: number;
  error: string | null;
  payload: string;
  result: string | null;
  recording_id: number | null;
  cancel_requested: number;
  owner_pid: number | null;
  heartbeat_at: string | null;
  created_at: string;
  started_at: string | null;
  updated_at: string;
}

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    type: row.type,
    state: row.state,
    progress: row.progress,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    error: row.error,
    payload: JSON.parse(row.payload) as unknown,
    recordingId: row.recording_id,
    cancelRequested: row.cancel_requested === 1,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    createdAt: row.created_at,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
  };
}

/** Whether a process id is alive on this machine (a process we may not signal is). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
