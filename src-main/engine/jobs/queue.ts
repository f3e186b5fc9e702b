import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, JobEvent, JobType } from '../../../src-shared/jobs.js';
import { EngineError, JobCancelledError } from '../errors.js';
import type { z } from 'zod';
import { parsedPayload, type JobHandler, type Registered } from './job-handler.js';
import { nowIso, type DB } from '../store/db.js';
import { HELD, heartbeat, progressReporter } from './job-lease.js';
import { pidAlive, toJob, type JobRow } from './job-rows.js';

/** The abort reason of jobs stopped by a shutdown: they go back to the queue, not to 'cancelled'. */
const SHUTDOWN = 'shutdown';

export interface EnqueueOptions {
  recordingId?: number;
  /** At most one queued or running job holds a key; enqueueing it again returns that job. */
  dedupeKey?: string;
  maxAttempts?: number;
}

export interface JobQueueOptions {
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this is taken as abandoned. */
  staleMs?: number;
}

/** A job queue persisted in SQLite: survives restarts, reports progress (and notes) as events, can cancel. */
export class JobQueue {
  readonly events = new EventEmitter<{ event: [JobEvent]; note: [jobId: number, line: string] }>();
  private readonly handlers = new Map<JobType, Registered>();
  private readonly live = new Map<number, AbortController>();
  /** Jobs running in this process, until they have written how they ended. */
  private readonly running = new Map<number, Promise<void>>();
  private stopping = false;
  private readonly heartbeatMs: number;
  private readonly staleMs: number;

  constructor(
    private readonly db: DB,
    opts: JobQueueOptions = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.staleMs = opts.staleMs ?? 30_000;
  }

  /**
   * Says how jobs of a type run. With a schema, each job's payload is parsed by it when the
   * job starts, and a payload it refuses fails that job with the reason (the worker goes on).
   */
  register<P>(type: JobType, handler: JobHandler<P>, payload?: z.ZodType<P>): void {
    this.handlers.set(type, { handler: handler as JobHandler, payload: payload ?? null });
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

  /** The queued or running job that holds a dedupe key, if one does. */
  active(dedupeKey: string): Job | undefined {
    const row = this.db
      .prepare("SELECT id FROM jobs WHERE dedupe_key = ? AND state IN ('queued','running')")
      .get(dedupeKey) as { id: number } | undefined;
    return row ? this.get(row.id) : undefined;
  }

  /** Queues a job, or returns the active job that already holds its dedupe key. */
  enqueue(type: JobType, payload: unknown, opts: EnqueueOptions = {}): Job {
    const existing = opts.dedupeKey ? this.active(opts.dedupeKey) : undefined;
    if (existing) return existing;
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

  /**
   * Takes the oldest queued job (of `onlyIds` when given) to run here. A job taken up again with
   * progress kept from an earlier run (after a kill -9 or a shutdown) gets a start moved back by
   * the time that run worked (its start to its last heartbeat), so its ETA, from its start and
   * its progress over the whole work (src-shared/eta.ts), counts the whole work, not this run.
   */
  private claim(onlyIds?: readonly number[]): Job | undefined {
    const types = [...this.handlers.keys()];
    if (types.length === 0) return undefined;
    const idFilter = onlyIds ? `AND id IN (${onlyIds.map(() => '?').join(',')})` : '';
    const now = nowIso();
    const row = this.db
      .prepare(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, owner_pid = @pid, heartbeat_at = @now, updated_at = @now,
           started_at = CASE WHEN progress > 0 AND julianday(heartbeat_at) >= julianday(started_at)
             THEN strftime('%Y-%m-%dT%H:%M:%fZ', julianday(@now) - (julianday(heartbeat_at) - julianday(started_at)))
             ELSE @now END
         WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND type IN (${types.map(() => '?').join(',')}) ${idFilter} ORDER BY id LIMIT 1)
           AND state = 'queued'
         RETURNING *`,
      )
      .get({ pid: process.pid, now }, ...types, ...(onlyIds ?? [])) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  /**
   * Runs queued jobs (only those in `onlyIds` when given) until none is left. Returns the ids of
   * the jobs it ran, in order, so a caller can judge what it ran itself (not older jobs).
   */
  async drain(onlyIds?: readonly number[]): Promise<number[]> {
    const ran: number[] = [];
    for (;;) {
      const job = this.stopping ? undefined : this.claim(onlyIds);
      if (!job) return ran;
      ran.push(job.id);
      this.emit(job.id);
      const run = this.runClaimed(job);
      this.running.set(job.id, run);
      try {
        await run;
      } finally {
        this.running.delete(job.id);
      }
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
    const ctl = new AbortController();
    this.live.set(job.id, ctl);
    const stopBeat = heartbeat(this.db, job, this.heartbeatMs, ctl);
    try {
      const finish = await this.startHandler(job, ctl.signal);
      if (ctl.signal.aborted) throw new JobCancelledError();
      this.db.transaction(() => {
        // A cancel asked before now wins even over work that got to its end: nothing is written.
        const claimed = this.db
          .prepare(
            `UPDATE jobs SET state = 'done', progress = 1, error = NULL, owner_pid = NULL, updated_at = ?
             WHERE ${HELD} AND cancel_requested = 0`,
          )
          .run(nowIso(), job.id, job.attempts);
        if (claimed.changes === 0) throw new JobCancelledError();
        const result = finish(this.db);
        if (result !== undefined)
          this.db.prepare('UPDATE jobs SET result = ? WHERE id = ?').run(JSON.stringify(result), job.id);
      })();
    } catch (err) {
      try {
        this.writeEnd(job, ctl.signal, err);
      } catch {
        // The store refuses even the job's end (locked by another program, read-only, full):
        // the row stays 'running', is taken up again once its heartbeat goes stale, and
        // whoever ran it hears the job's own error rather than the store's.
        throw err;
      }
    } finally {
      stopBeat();
      this.live.delete(job.id);
    }
    this.emit(job.id);
  }

  /** Parses the job's payload with its type's schema (a bad one fails the job) and runs its handler. */
  private startHandler(job: Job, signal: AbortSignal): Promise<(db: DB) => unknown> {
    const registered = this.handlers.get(job.type);
    if (!registered) throw new Error(`no handler for job type ${job.type}`);
    const payload = parsedPayload(registered, job);
    const progress = progressReporter(this.db, job, () => this.emit(job.id));
    const note = (line: string): void => void this.events.emit('note', job.id, line);
    return registered.handler({ job, payload, signal, progress, note });
  }

  /**
   * How a job that threw ended: back in the queue when a shutdown stopped it (the attempt is
   * not counted), cancelled when asked to, else failed with the error's message.
   */
  private writeEnd(job: Job, signal: AbortSignal, err: unknown): void {
    const stopped = signal.aborted && signal.reason === SHUTDOWN;
    const cancelled = !stopped && (signal.aborted || err instanceof JobCancelledError);
    const state = stopped ? 'queued' : cancelled ? 'cancelled' : 'failed';
    const error = stopped || cancelled ? null : err instanceof Error ? err.message : String(err);
    // A failure may say what the job did before it stopped (an import's files so far).
    const partial = err instanceof EngineError && 'result' in err ? JSON.stringify(err.result) : null;
    this.db
      .prepare(
        `UPDATE jobs SET state = ?, error = ?, result = ?, attempts = attempts - ?, owner_pid = NULL, updated_at = ?
         WHERE ${HELD}`,
      )
      .run(state, error, state === 'failed' ? partial : null, stopped ? 1 : 0, nowIso(), job.id, job.attempts);
  }

  /** Asks every job running in this process to stop, without waiting (they end as cancelled). */
  abortAll(): void {
    for (const ctl of this.live.values()) ctl.abort();
  }

  /**
   * Stops for a shutdown: starts no more jobs, asks the running ones to stop and waits (up to
   * `timeoutMs`) until each has reached a safe point and written how it ended: an interrupted
   * job goes back to the queue, to run again at the next start, its attempt not counted.
   */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopping = true;
    for (const ctl of this.live.values()) ctl.abort(SHUTDOWN);
    if (this.running.size === 0) return;
    const timer = sleep(timeoutMs, undefined, { ref: false });
    await Promise.race([Promise.allSettled([...this.running.values()]), timer]);
  }
}
