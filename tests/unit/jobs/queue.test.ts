import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../src-shared/jobs.js';
import { JobQueue } from '../../../src-main/engine/jobs/queue.js';
import { openDatabase, type DB } from '../../../src-main/engine/store/db.js';

let db: DB;
beforeEach(() => {
  db = openDatabase(':memory:');
  db.exec('CREATE TABLE results (job_id INTEGER NOT NULL UNIQUE, value TEXT NOT NULL) STRICT');
});
afterEach(() => db.close());

function rows(): { job_id: number; value: string }[] {
  return db.prepare('SELECT * FROM results').all() as { job_id: number; value: string }[];
}

describe('JobQueue', () => {
  it('runs a job, emits progress that never goes backwards and ends at 1, and writes its result once', async () => {
    const q = new JobQueue(db);
    q.register('scan', async ({ job, progress }) => {
      for (const f of [0.1, 0.3, 0.2, 0.6, 0.9]) {
        progress(f);
        await sleep(210);
      }
      return (d) => d.prepare('INSERT INTO results VALUES (?, ?)').run(job.id, 'ok');
    });
    const seen: Job[] = [];
    q.events.on('event', (e) => seen.push(e.job));
    const job = q.enqueue('scan', { a: 1 });
    expect(job.startedAt).toBeNull();
    await q.drain();
    const progress = seen.filter((j) => j.id === job.id).map((j) => j.progress);
    // Every report of the running job says when it started (its ETA counts from there).
    const started = seen.filter((j) => j.id === job.id && j.state === 'running').map((j) => j.startedAt);
    expect(new Set(started).size).toBe(1);
    expect(Date.parse(started[0] as string)).toBeGreaterThanOrEqual(Date.parse(job.createdAt));
    expect(progress.length).toBeGreaterThan(3);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(progress.at(-1)).toBe(1);
    expect(q.get(job.id)).toMatchObject({ state: 'done', attempts: 1, progress: 1, error: null });
    expect(rows()).toEqual([{ job_id: job.id, value: 'ok' }]);
  });

  it('returns the active job for a dedupe key instead of queueing a second one', () => {
    const q = new JobQueue(db);
    const a = q.enqueue('scan', {}, { dedupeKey: 'k' });
    const b = q.enqueue('scan', {}, { dedupeKey: 'k' });
    expect(b.id).toBe(a.id);
    expect(q.list()).toHaveLength(1);
  });

  it('marks a failing job failed with its one-line error and writes nothing', async () => {
    const q = new JobQueue(db);
    q.register('scan', () => Promise.reject(new Error('ffmpeg failed: broken file')));
    const job = q.enqueue('scan', {});
    await q.drain();
    expect(q.get(job.id)).toMatchObject({ state: 'failed', error: 'ffmpeg failed: broken file' });
    expect(rows()).toEqual([]);
  });

  it('cancels a queued job at once and a running job through its signal', async () => {
    const q = new JobQueue(db, { heartbeatMs: 50 });
    q.register(
      'scan',
      ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')))),
    );
    const running = q.enqueue('scan', {});
    const queued = q.enqueue('scan', {});
    const drained = q.drain();
    await sleep(20);
    expect(q.cancel(queued.id)?.state).toBe('cancelled');
    // Ask through the database, as another process would.
    db.prepare('UPDATE jobs SET cancel_requested = 1 WHERE id = ?').run(running.id);
    await drained;
    expect(q.get(running.id)).toMatchObject({ state: 'cancelled', error: null });
    expect(rows()).toEqual([]);
  });

  it('puts a job whose process died back in the queue, and fails it once attempts are used up', async () => {
    const q = new JobQueue(db);
    q.register(
      'scan',
      async ({ job }) =>
        (d) =>
          d.prepare('INSERT INTO results VALUES (?, ?)').run(job.id, 'ok'),
    );
    const job = q.enqueue('scan', {}, { maxAttempts: 2 });
    const deadPid = 2 ** 22 + 12345;
    const orphan = (attempts: number): void => {
      db.prepare("UPDATE jobs SET state = 'running', attempts = ?, owner_pid = ?, heartbeat_at = ? WHERE id = ?").run(
        attempts,
        deadPid,
        new Date().toISOString(),
        job.id,
      );
    };
    orphan(1);
    expect(q.recover()).toEqual([job.id]);
    expect(q.get(job.id)?.state).toBe('queued');
    await q.drain();
    expect(q.get(job.id)).toMatchObject({ state: 'done', attempts: 2 });
    expect(rows()).toHaveLength(1);

    const other = q.enqueue('scan', {}, { maxAttempts: 2 });
    db.prepare("UPDATE jobs SET state = 'running', attempts = 2, owner_pid = ? WHERE id = ?").run(deadPid, other.id);
    q.recover();
    expect(q.get(other.id)).toMatchObject({ state: 'failed', error: 'interrupted 2 times' });
  });

  it('gives a job taken up again with progress a start moved back by the time it already worked, for its ETA', async () => {
    const q = new JobQueue(db);
    const starts: number[] = [];
    q.register('query', async ({ job }) => {
      starts.push(Date.parse(job.startedAt ?? ''));
      return () => undefined;
    });
    const job = q.enqueue('query', {});
    // A run that worked 90 s, reached 40% and died (kill -9): its last heartbeat 90 s after its start.
    const start = Date.parse('2025-01-01T00:00:00.000Z');
    db.prepare(
      "UPDATE jobs SET state = 'queued', attempts = 1, progress = 0.4, started_at = ?, heartbeat_at = ? WHERE id = ?",
    ).run(new Date(start).toISOString(), new Date(start + 90_000).toISOString(), job.id);
    const before = Date.now();
    await q.drain();
    const worked = before - (starts[0] as number);
    expect(worked).toBeGreaterThanOrEqual(90_000 - 5);
    expect(worked).toBeLessThan(90_000 + 5_000);
    // A job with no progress yet starts now.
    const fresh = q.enqueue('query', {});
    db.prepare('UPDATE jobs SET started_at = ?, heartbeat_at = ? WHERE id = ?').run(
      new Date(start).toISOString(),
      new Date(start + 90_000).toISOString(),
      fresh.id,
    );
    await q.drain();
    expect(starts[1]).toBeGreaterThanOrEqual(before);
  });

  it('says which queued or running job holds a dedupe key, none once it ended', async () => {
    const q = new JobQueue(db);
    q.register('scan', async () => () => undefined);
    const job = q.enqueue('scan', {}, { dedupeKey: 'k' });
    expect(q.active('k')?.id).toBe(job.id);
    expect(q.active('other')).toBeUndefined();
    await q.drain();
    expect(q.active('k')).toBeUndefined();
  });

  it('leaves a job alone while its owner is alive and its heartbeat is fresh', () => {
    const q = new JobQueue(db);
    const job = q.enqueue('scan', {});
    db.prepare("UPDATE jobs SET state = 'running', owner_pid = ?, heartbeat_at = ? WHERE id = ?").run(
      process.ppid,
      new Date().toISOString(),
      job.id,
    );
    expect(q.recover()).toEqual([]);
    expect(q.get(job.id)?.state).toBe('running');
  });

  it('takes over a joined job whose owner died, and drain reports the jobs it ran', async () => {
    const q = new JobQueue(db);
    q.register(
      'scan',
      async ({ job }) =>
        (d) =>
          d.prepare('INSERT INTO results VALUES (?, ?)').run(job.id, 'ok'),
    );
    const job = q.enqueue('scan', {}, { dedupeKey: 'k' });
    // Another process runs it (alive, beating) ...
    db.prepare("UPDATE jobs SET state = 'running', attempts = 1, owner_pid = ?, heartbeat_at = ? WHERE id = ?").run(
      2 ** 22 + 12345,
      new Date().toISOString(),
      job.id,
    );
    // ... a second caller joins it, and that process is gone: the joiner runs it, once.
    expect(q.enqueue('scan', {}, { dedupeKey: 'k' }).id).toBe(job.id);
    const ended = await q.runToEnd(job.id, 10);
    expect(ended).toMatchObject({ state: 'done', attempts: 2 });
    expect(rows()).toEqual([{ job_id: job.id, value: 'ok' }]);
    const other = q.enqueue('scan', {});
    expect(await q.drain()).toEqual([other.id]);
    expect(await q.drain()).toEqual([]);
  });

  it('a process taken for dead whose job was taken over writes nothing when it ends', async () => {
    const q = new JobQueue(db, { heartbeatMs: 20 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    q.register('scan', async ({ job }) => {
      await gate;
      return (d) => d.prepare('INSERT INTO results VALUES (?, ?)').run(job.id, `attempt ${job.attempts}`);
    });
    const job = q.enqueue('scan', {});
    const slow = q.drain();
    await sleep(10);
    // Another process took the job for abandoned and finished it (attempt 2).
    db.prepare("UPDATE jobs SET state = 'done', attempts = 2 WHERE id = ?").run(job.id);
    db.prepare('INSERT INTO results VALUES (?, ?)').run(job.id, 'attempt 2');
    release();
    await slow;
    expect(q.get(job.id)).toMatchObject({ state: 'done', attempts: 2 });
    expect(rows()).toEqual([{ job_id: job.id, value: 'attempt 2' }]);
  });
});
