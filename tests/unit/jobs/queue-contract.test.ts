import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EngineError } from '../../../src-main/engine/errors.js';
import { JobQueue } from '../../../src-main/engine/jobs/queue.js';
import { openDatabase, type DB } from '../../../src-main/engine/store/db.js';

let db: DB;
beforeEach(() => {
  db = openDatabase(':memory:');
});
afterEach(() => db.close());

const Payload = z.object({ recordingId: z.number().int().positive() });

describe('JobQueue payloads, results and shutdown', () => {
  it('parses a payload with its schema: a bad one fails that job with the reason and the next job runs', async () => {
    const q = new JobQueue(db);
    const seen: number[] = [];
    q.register(
      'scan',
      async ({ payload }) => {
        seen.push(payload.recordingId);
        return () => payload.recordingId * 10;
      },
      Payload,
    );
    const bad = q.enqueue('scan', { recordingId: 'seven' });
    const good = q.enqueue('scan', { recordingId: 7 });
    await q.drain();
    expect(q.get(bad.id)).toMatchObject({ state: 'failed', result: null });
    expect(q.get(bad.id)?.error).toMatch(/^bad scan payload: recordingId: /);
    expect(seen).toEqual([7]);
    expect(q.get(good.id)).toMatchObject({ state: 'done', result: 70 });
  });

  it('keeps what a job returns as its result, and nothing for a job that returns nothing', async () => {
    const q = new JobQueue(db);
    q.register('import', async () => () => ({ imported: [], skipped: [{ path: '/a', reason: 'empty file' }] }));
    q.register('preview', async () => () => undefined);
    const a = q.enqueue('import', {});
    const b = q.enqueue('preview', {});
    await q.drain();
    expect(q.get(a.id)?.result).toEqual({ imported: [], skipped: [{ path: '/a', reason: 'empty file' }] });
    expect(q.get(b.id)).toMatchObject({ state: 'done', result: null });
  });

  it('keeps the partial result an engine error carries when its job fails', async () => {
    class Stopped extends EngineError {
      constructor(readonly result: unknown) {
        super('import stopped at /b: the database is read-only; the file imported before it stays');
      }
    }
    const q = new JobQueue(db);
    q.register('import', () => Promise.reject(new Stopped({ imported: [{ id: 1 }], skipped: [] })));
    const job = q.enqueue('import', {});
    await q.drain();
    expect(q.get(job.id)).toMatchObject({
      state: 'failed',
      error: 'import stopped at /b: the database is read-only; the file imported before it stays',
      result: { imported: [{ id: 1 }], skipped: [] },
    });
  });

  it('stop lets a running job reach its safe point and puts it back in the queue, its attempt not counted', async () => {
    const q = new JobQueue(db, { heartbeatMs: 50 });
    let reachedSafePoint = false;
    q.register('scan', async ({ signal }) => {
      while (!signal.aborted) await sleep(20);
      await sleep(100); // finishing the frame it was at
      reachedSafePoint = true;
      throw new Error('aborted');
    });
    const job = q.enqueue('scan', {});
    const later = q.enqueue('scan', {});
    const draining = q.drain();
    await sleep(100);
    expect(q.get(job.id)?.state).toBe('running');
    await q.stop(5000);
    expect(reachedSafePoint).toBe(true);
    expect(q.get(job.id)).toMatchObject({ state: 'queued', attempts: 0, error: null });
    await draining;
    // Nothing more starts once stopping.
    expect(q.get(later.id)).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('a cancel still ends a job cancelled', async () => {
    const q = new JobQueue(db, { heartbeatMs: 50 });
    q.register('scan', async ({ signal }) => {
      while (!signal.aborted) await sleep(20);
      throw new Error('aborted');
    });
    const job = q.enqueue('scan', {});
    const draining = q.drain();
    await sleep(100);
    q.cancel(job.id);
    await draining;
    expect(q.get(job.id)).toMatchObject({ state: 'cancelled', error: null });
  });
});
