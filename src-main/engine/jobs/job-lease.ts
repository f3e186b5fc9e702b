import type { Job } from '../../../src-shared/jobs.js';
import { JobCancelledError } from '../errors.js';
import { nowIso, type DB } from '../store/db.js';

/**
 * The condition of every write of a running job: it applies only while this claim holds the
 * job, so a process taken for dead whose job was taken over writes nothing, and the job's
 * rows are still written exactly once. Bind the job's id, then its attempts.
 */
export const HELD = "id = ? AND state = 'running' AND attempts = ?";

/**
 * Runs `write` in one transaction while the job's claim holds, for the writes a job makes as
 * it goes (a query job's run per recording), not at its end. A process taken for dead whose
 * job another took over writes nothing: it gets JobCancelledError, and the new owner writes.
 */
export function whileHeld<T>(db: DB, job: Pick<Job, 'id' | 'attempts'>, write: () => T): T {
  return db
    .transaction(() => {
      if (!db.prepare(`SELECT 1 FROM jobs WHERE ${HELD}`).get(job.id, job.attempts)) throw new JobCancelledError();
      return write();
    })
    .immediate();
}

/**
 * A job's progress reporter: values clamped to [0,1] never go backwards, and are written (and
 * announced by `emit`) at most every 200 ms or 1%.
 */
export function progressReporter(db: DB, job: Job, emit: () => void): (fraction: number) => void {
  let reported = job.progress;
  let written = job.progress;
  let lastWrite = 0;
  return (f) => {
    reported = Math.max(reported, Math.min(1, Math.max(0, f)));
    if (reported - written < 0.01 || Date.now() - lastWrite < 200) return;
    lastWrite = Date.now();
    try {
      db.prepare(`UPDATE jobs SET progress = ?, updated_at = ? WHERE ${HELD}`).run(
        reported,
        nowIso(),
        job.id,
        job.attempts,
      );
    } catch {
      // Progress is a report, not the work: a store that cannot take it now (locked by another
      // program) does not stop the job; the next report tries again.
      return;
    }
    written = reported;
    emit();
  };
}

/**
 * Beats a running job's heartbeat every `ms`, and aborts `ctl` when the job was cancelled (in
 * any process) or taken over by another process (this one was taken for dead). Returns stop.
 */
export function heartbeat(db: DB, job: Job, ms: number, ctl: AbortController): () => void {
  const beat = setInterval(() => {
    let row: { cancel_requested: number } | undefined;
    try {
      row = db
        .prepare(`UPDATE jobs SET heartbeat_at = ? WHERE ${HELD} RETURNING cancel_requested`)
        .get(nowIso(), job.id, job.attempts) as { cancel_requested: number } | undefined;
    } catch {
      return; // the store is busy (locked by another program): beat again next time
    }
    if (row === undefined || row.cancel_requested === 1) ctl.abort();
  }, ms);
  return () => clearInterval(beat);
}
