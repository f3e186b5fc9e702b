import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, JobEvent, JobType } from '../../../src-shared/jobs.js';
import { JobCancelledError } from '../errors.js';
import { nowIso, type DB } from '../store/db.js';

interface JobRow {
  id: number;
  type: JobType;
  state: Job['state'];
  progress: number;
  attempts: number;
  max_attempts: number;
  error: string | null;
  payload: string;
  recording_id: number | null;
  cancel_requested: number;
  owner_pid: number | null;
  heartbeat_at: string | null;
  created_at: string;
  updated_at: string;
}

function toJob(row: JobRow): Job {
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
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface JobContext {
  job: Job;
  signal: AbortSignal;
  /** Reports progress in [0,1]; values never go backwards. */
  progress(fraction: number): void;
}

/**
 * Does a job's work and returns the writes that finish it. The queue runs those writes in the
 * same transaction that marks the job done, so a job killed at any point leaves no rows and,
 * run again, writes them exactly once.
 */
export type JobHandler = (ctx: JobContext) => Promise<(db: DB) => unknown>;

export interface EnqueueOptions {
  recordingId?: number;
  /** At most one queued or running job holds a key; enqueueing it again returns that job. */
  dedupeKey?: string;
  maxAttempts?: number;
}


function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface JobQueueOptions {
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this is taken as abandoned. */
  staleMs?: number;
}

/** A job queue persisted in SQLite: survives restarts, reports progress as events, can cancel. */
export class JobQueue {
  readonly events = new EventEmitter<{ event: [JobEvent] }>();
  private readonly handlers = new Map<JobType, JobHandler>();
  private readonly live = new Map<number, AbortController>();
  private readonly heartbeatMs: number;
  private readonly staleMs: number;

  constructor(
    private readonly db: DB,
    opts: JobQueueOptions = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.staleMs = opts.staleMs ?? 30_000;
  }

  register(type: JobType, handler: JobHandler): void {
    this.handlers.set(type, handler);
  }

  get(id: number): Job | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  list(filter: { states?: Job['state'][]; limit?: number } = {}): Job[] {
    const states = filter.states ?? ['queued', 'running', 'done', 'failed', 'cancelled'];
    const rows = this.db
      .prepare(`SELECT * FROM jobs WHERE state IN (${states.map(() => '?').join(',')}) ORDER BY id DESC LIMIT ?`)
      .all(...states, filter.limit ?? 100) as JobRow[];
    return rows.map(toJob);
  }

  /** Jobs of one type whose payload has `key` equal to `value` (e.g. the ground jobs of a query), oldest first. */
  byPayload(type: JobType, key: string, value: number | string): Job[] {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new Error(`bad payload key ${key}`);
    const rows = this.db
      .prepare(`SELECT * FROM jobs WHERE type = ? AND json_extract(payload, '$.${key}') = ? ORDER BY id`)
      .all(type, value) as JobRow[];
    return rows.map(toJob);
  }

  private emit(id: number): Job {
    const job = this.get(id);
    if (!job) throw new Error(`job ${id} vanished`);
    this.events.emit('event', { kind: 'job-updated', job });
    return job;
  }

  /** Queues a job, or returns the active job that already holds its dedupe key. */
  enqueue(type: JobType, payload: unknown, opts: EnqueueOptions = {}): Job {
    const existing = opts.dedupeKey
      ? (this.db
          .prepare("SELECT id FROM jobs WHERE dedupe_key = ? AND state IN ('queued','running')")
          .get(opts.dedupeKey) as { id: number } | undefined)
      : undefined;
    if (existing) return this.get(existing.id) as Job;
    const now = nowIso();
    const info = this.db
      .prepare(
        `INSERT INTO jobs (type, state, payload, dedupe_key, recording_id, max_attempts, created_at, updated_at)
         VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        type,
        JSON.stringify(payload),
        opts.dedupeKey ?? null,
        opts.recordingId ?? null,
        opts.maxAttempts ?? 3,
        now,
        now,
      );
    return this.emit(Number(info.lastInsertRowid));
  }

  /**
   * Puts running jobs whose process died (kill -9, power loss) back in the queue, or fails them
   * when they have used up their attempts. Returns the ids it recovered.
   */
  recover(): number[] {
    const rows = this.db.prepare("SELECT * FROM jobs WHERE state = 'running'").all() as JobRow[];
    const staleBefore = Date.now() - this.staleMs;
    const recovered: number[] = [];
    for (const row of rows) {
      if (this.live.has(row.id)) continue;
      const ownerGone = row.owner_pid === null || row.owner_pid === process.pid || !pidAlive(row.owner_pid);
      const silent = row.heartbeat_at === null || Date.parse(row.heartbeat_at) < staleBefore;
      if (!ownerGone && !silent) continue;
      const exhausted = row.attempts >= row.max_attempts;
      const cancelled = row.cancel_requested === 1;
      this.db
        .prepare('UPDATE jobs SET state = ?, error = ?, owner_pid = NULL, updated_at = ? WHERE id = ? AND state = ?')
        .run(
          cancelled ? 'cancelled' : exhausted ? 'failed' : 'queued',
          exhausted && !cancelled ? `interrupted ${row.attempts} times` : null,
          nowIso(),
          row.id,
          'running',
        );
      recovered.push(row.id);
      this.emit(row.id);
    }
    return recovered;
  }

  /** Cancels a queued job at once; asks a running one (in any process) to stop. */
  cancel(id: number): Job | undefined {
    const now = nowIso();
    this.db
      .prepare("UPDATE jobs SET state = 'cancelled', updated_at = ? WHERE id = ? AND state = 'queued'")
      .run(now, id);
    this.db
      .prepare("UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ? AND state = 'running'")
      .run(now, id);
    this.live.get(id)?.abort();
    return this.get(id) ? this.emit(id) : undefined;
  }

  private claim(onlyIds?: readonly number[]): Job | undefined {
    const types = [...this.handlers.keys()];
    if (types.length === 0) return undefined;
    const idFilter = onlyIds ? `AND id IN (${onlyIds.map(() => '?').join(',')})` : '';
    const row = this.db
      .prepare(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, owner_pid = ?, heartbeat_at = ?, updated_at = ?
         WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND type IN (${types.map(() => '?').join(',')}) ${idFilter} ORDER BY id LIMIT 1)
           AND state = 'queued'
         RETURNING *`,
      )
      .get(process.pid, nowIso(), nowIso(), ...types, ...(onlyIds ?? [])) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  /**
   * Runs queued jobs (only those in `onlyIds` when given) until none is left. Returns the ids of
   * the jobs it ran, in order, so a caller can judge what it ran itself (not older jobs).
   */
  async drain(onlyIds?: readonly number[]): Promise<number[]> {
    const ran: number[] = [];
    for (;;) {
      const job = this.claim(onlyIds);
      if (!job) return ran;
      ran.push(job.id);
      this.emit(job.id);
      await this.runClaimed(job);
    }
  }

  /**
   * Runs one job here until it ends and returns it ended. While another live process runs it,
   * waits for that; when that process dies (kill -9) or stops beating, takes the job over and
   * runs it here, so a caller joining an active job (same dedupe key) never waits forever.
   */
  async runToEnd(id: number, pollMs = 250): Promise<Job> {
    for (;;) {
      await this.drain([id]);
      const job = this.get(id);
      if (!job) throw new Error(`job ${id} vanished`);
      if (job.state !== 'queued' && job.state !== 'running') return job;
      await sleep(pollMs);
      this.recover();
    }
  }

  private async runClaimed(job: Job): Promise<void> {
    const handler = this.handlers.get(job.type);
    const ctl = new AbortController();
    this.live.set(job.id, ctl);
    // Every write below applies only while this claim holds the job: a process taken for dead
    // whose job was taken over writes nothing, so the job's rows are still written exactly once.
    const mine = "state = 'running' AND attempts = ?";
    let reported = job.progress;
    let written = job.progress;
    let lastWrite = 0;
    const writeProgress = (force: boolean): void => {
      if (!force && (reported - written < 0.01 || Date.now() - lastWrite < 200)) return;
      written = reported;
      lastWrite = Date.now();
      this.db
        .prepare(`UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND ${mine}`)
        .run(written, nowIso(), job.id, job.attempts);
      this.emit(job.id);
    };
    const beat = setInterval(() => {
      const row = this.db
        .prepare(`UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND ${mine} RETURNING cancel_requested`)
        .get(nowIso(), job.id, job.attempts) as { cancel_requested: number } | undefined;
      // Cancelled, or taken over by another process (this one was taken for dead): stop.
      if (row === undefined || row.cancel_requested === 1) ctl.abort();
    }, this.heartbeatMs);
    try {
      if (!handler) throw new Error(`no handler for job type ${job.type}`);
      const finish = await handler({
        job,
        signal: ctl.signal,
        progress: (f) => {
          reported = Math.max(reported, Math.min(1, Math.max(0, f)));
          writeProgress(false);
        },
      });
      if (ctl.signal.aborted) throw new JobCancelledError();
      this.db.transaction(() => {
        const claimed = this.db
          .prepare(
            `UPDATE jobs SET state = 'done', progress = 1, error = NULL, owner_pid = NULL, updated_at = ? WHERE id = ? AND ${mine}`,
          )
          .run(nowIso(), job.id, job.attempts);
        if (claimed.changes === 0) throw new JobCancelledError();
        finish(this.db);
      })();
    } catch (err) {
      const cancelled = ctl.signal.aborted || err instanceof JobCancelledError;
      const message = err instanceof Error ? err.message : String(err);
      this.db
        .prepare(`UPDATE jobs SET state = ?, error = ?, owner_pid = NULL, updated_at = ? WHERE id = ? AND ${mine}`)
        .run(cancelled ? 'cancelled' : 'failed', cancelled ? null : message, nowIso(), job.id, job.attempts);
    } finally {
      clearInterval(beat);
      this.live.delete(job.id);
    }
    this.emit(job.id);
  }

  /** Asks every job running in this process to stop, for a clean shutdown. */
  abortAll(): void {
    for (const ctl of this.live.values()) ctl.abort();
  }
}
