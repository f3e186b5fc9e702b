import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src-main/engine/errors.js';
import type { DB } from '../../../src-main/engine/store/db.js';
import { RecordingsRepo } from '../../../src-main/engine/store/recordings.js';
import { RunsRepo } from '../../../src-main/engine/store/runs.js';
import { SegmentsRepo } from '../../../src-main/engine/store/segments.js';
import { SettingsRepo } from '../../../src-main/engine/store/settings.js';
import { DEFAULT_SETTINGS } from '../../../src-shared/api.js';
import { seedRecording, seedRun } from '../../fixtures/seed-store.js';
import { openTempStore } from '../../support/store.js';

let store: ReturnType<typeof openTempStore>;
let db: DB;
let segments: SegmentsRepo;
let queryId: number;

beforeEach(() => {
  store = openTempStore();
  db = store.db;
  const recId = seedRecording(new RecordingsRepo(db), { path: '/videos/a.mp4', fingerprint: 'fp-a', durationS: 60 });
  const runs = new RunsRepo(db);
  queryId = runs.createQuery('a box falls');
  seedRun(runs, {
    query: 'a box falls',
    queryId,
    recordingId: recId,
    segments: [
      { startS: 1, endS: 4, confidence: 0.9 },
      { startS: 10, endS: 12, confidence: 0.2 },
      { startS: 20, endS: 25, confidence: 0.4 },
      { startS: 30, endS: 31, confidence: 0.7 },
    ],
  });
  segments = new SegmentsRepo(db);
});

afterEach(() => store.close());

const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('SegmentsRepo', () => {
  it('queues segments under the threshold first, lowest first, then the rest, highest first', () => {
    const queue = segments.reviewQueue(queryId, 0.5);
    expect(queue.map((s) => s.confidence)).toEqual([0.2, 0.4, 0.9, 0.7]);
    expect(segments.byQuery(queryId).map((s) => s.confidence)).toEqual([0.9, 0.7, 0.4, 0.2]);
  });

  it('records accept, reject with its reason, and adjust with the bounds before', () => {
    const [a, b, c] = segments.byQuery(queryId);
    expect(segments.verdict(a!.id, { kind: 'accept' })).toMatchObject({ state: 'accepted', reason: null });
    expect(segments.verdict(b!.id, { kind: 'reject', reason: 'wrong-time' })).toMatchObject({
      state: 'rejected',
      reason: 'wrong-time',
    });
    expect(segments.verdict(c!.id, { kind: 'adjust', startS: 19, endS: 26 })).toMatchObject({
      state: 'adjusted',
      startS: 19,
      endS: 26,
    });
    const adjust = db.prepare("SELECT * FROM verdicts WHERE verdict = 'adjust'").get() as Record<string, number>;
    expect(adjust).toMatchObject({ start_s: 19, end_s: 26, previous_start_s: 20, previous_end_s: 25, undone: 0 });
    expect(count('verdicts')).toBe(3);
  });

  it('undoes the latest verdict first: bounds and state come back, an added segment goes', () => {
    const [a] = segments.byQuery(queryId);
    segments.verdict(a!.id, { kind: 'adjust', startS: 2, endS: 5 }, 'window-a');
    segments.verdict(a!.id, { kind: 'accept' }, 'window-a');
    const added = segments.add(queryId, a!.recordingId, 40, 44, 'window-a');
    expect(added).toMatchObject({ source: 'operator', state: 'accepted', confidence: null, runId: null });

    expect(segments.undo('window-a')).toEqual({ segment: null, removed: added.id });
    expect(segments.get(added.id)).toBeUndefined();
    expect(segments.undo('window-a').segment).toMatchObject({ id: a!.id, state: 'adjusted', startS: 2, endS: 5 });
    expect(segments.undo('window-a').segment).toMatchObject({ id: a!.id, state: 'pending', startS: 1, endS: 4 });
    expect(segments.undo('window-a')).toEqual({ segment: null, removed: null });
    // Undone verdicts stay on record, marked.
    expect(count('verdicts')).toBe(2);
    expect((db.prepare('SELECT count(*) AS n FROM verdicts WHERE undone = 1').get() as { n: number }).n).toBe(2);
  });

  it('writes nothing for a segment that does not exist', () => {
    expect(() => segments.verdict(999, { kind: 'accept' })).toThrow(StoreError);
    expect(count('verdicts')).toBe(0);
  });
});

describe('SettingsRepo', () => {
  it('gives the defaults, keeps what is set, and ignores stored values that no longer fit', () => {
    const settings = new SettingsRepo(db);
    expect(settings.get()).toEqual(DEFAULT_SETTINGS);
    expect(settings.set({ reviewThreshold: 0.3, serverUrl: 'http://127.0.0.1:8000/v1' })).toEqual({
      ...DEFAULT_SETTINGS,
      reviewThreshold: 0.3,
      serverUrl: 'http://127.0.0.1:8000/v1',
    });
    db.prepare("UPDATE settings SET value = '7' WHERE key = 'reviewThreshold'").run();
    expect(settings.get().reviewThreshold).toBe(DEFAULT_SETTINGS.reviewThreshold);
  });
});
