/**
 * Found by probing with two browser pages on one engine: Undo was global, so one page's
 * Undo took back another page's verdict on another query. Undo is per client now.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handle } from '../../src-main/engine/api/handlers.js';
import type { Engine } from '../../src-main/engine/engine.js';
import { seedRecording, seedRun } from '../fixtures/seed-store.js';
import { openTempEngine, type TempEngine } from '../support/engine.js';

let opened: TempEngine;
let engine: Engine;

beforeEach(() => {
  opened = openTempEngine();
  engine = opened.engine;
});

afterEach(() => opened.close());

describe('review.undo', () => {
  it("takes back the caller's own last verdict, never another client's", async () => {
    const recordingId = seedRecording(engine.recordings, { path: '/videos/a.mp4', fingerprint: 'f', durationS: 30 });
    const queryOf = (runId: number) =>
      (engine.db.prepare('SELECT query_id FROM runs WHERE id = ?').get(runId) as { query_id: number }).query_id;
    const seg = { startS: 1, endS: 4, confidence: 0.3 };
    const q1 = queryOf(seedRun(engine.runs, { recordingId, query: 'a box falls', segments: [seg] }));
    const q2 = queryOf(seedRun(engine.runs, { recordingId, query: 'a door opens', segments: [seg] }));
    const [s1] = engine.segments.byQuery(q1);
    const [s2] = engine.segments.byQuery(q2);
    await handle(engine, 'review.accept', { segmentId: s1!.id, clientId: 'page-aaaaaaaa' });
    await handle(engine, 'review.reject', { segmentId: s2!.id, reason: 'wrong-time', clientId: 'page-bbbbbbbb' });

    // Page A's Undo takes back A's accept, not B's later reject on the other query.
    const undone = await handle(engine, 'review.undo', { clientId: 'page-aaaaaaaa' });
    expect(undone).toMatchObject({ segment: { id: s1!.id, state: 'pending' } });
    expect(engine.segments.get(s2!.id)?.state).toBe('rejected');
    // A has nothing left; B still has its own.
    expect(await handle(engine, 'review.undo', { clientId: 'page-aaaaaaaa' })).toEqual({
      segment: null,
      removed: null,
    });
    expect(await handle(engine, 'review.undo', { clientId: 'page-bbbbbbbb' })).toMatchObject({
      segment: { id: s2!.id, state: 'pending' },
    });
    // An undo that names no client is refused, not applied to anyone's.
    await expect(handle(engine, 'review.undo', {})).rejects.toThrow(/review.undo: clientId/);
  });
});
