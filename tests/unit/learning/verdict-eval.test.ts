import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unionSeconds, verdictEval } from '../../../src-main/engine/learning/verdict-eval.js';
import type { DB } from '../../../src-main/engine/store/db.js';
import { RunsRepo } from '../../../src-main/engine/store/runs.js';
import { buildReviewedLibrary, QUERY } from '../../fixtures/reviewed-library.js';
import { seedRun } from '../../fixtures/seed-store.js';
import { openTempStore } from '../../support/store.js';

let db: DB;
let close: () => void;

beforeEach(() => {
  ({ db, close } = openTempStore());
  buildReviewedLibrary(db);
});

afterEach(() => close());

describe('verdictEval', () => {
  // Truth: r1 {10-20}, r2 {32-40}, r3 {5-10} hold the moment; r4 does not; r5 is unknown (wrong-time only).
  it('scores model A on its own reviewed segments, by hand', () => {
    const { pairs, unknown, models } = verdictEval({ db }, ['A']);
    expect({ pairs, unknown }).toEqual({ pairs: 4, unknown: 1 });
    const a = models[0]!;
    expect(a).toMatchObject({ model: 'A', n: 4, present: 3, absent: 1, segments: 5 });
    // Top segments: r1 [10,20] IoU 1; r2 [30,40] (the model's bounds, not the adjusted ones) IoU 8/10; r3 refused 0.
    expect(a.r1At05).toBeCloseTo(2 / 3, 10);
    expect(a.mIoU).toBeCloseTo((1 + 0.8 + 0) / 3, 10);
    // One refusal (r3), on a pair that holds the moment.
    expect(a.refusal).toEqual({ refused: 1, precision: 0, recall: 0 });
    // 0.9 right, 0.5 wrong (the undone accept counts for nothing), 0.3 wrong, 0.6 right, 0.2 wrong; one per bin:
    // (0.1 + 0.5 + 0.3 + 0.4 + 0.2) / 5.
    expect(a.ece).toBeCloseTo(0.3, 10);
    // Footage of every recording A ran the query on (r5 too): 100+100+50+60+40; inside segments: 30+10+0+10+1.
    expect(a.reviewLoad).toMatchObject({ queries: 1, recordings: 5, footageS: 350, watchedS: 51, moments: 3 });
    expect(a.reviewLoad.share).toBeCloseTo(51 / 350, 10);
    // Moments found at IoU >= 0.5: 10-20 and 32-40, not 5-10.
    expect(a.reviewLoad.recall).toBeCloseTo(2 / 3, 10);
  });

  it('scores model B, whose runs are another query row with the same sentence', () => {
    const b = verdictEval({ db }, ['B']).models[0]!;
    expect(b).toMatchObject({ n: 4, present: 3, absent: 1, segments: 2 });
    // r1 [12,22] IoU 8/12; r2 refused; r3 [5,9] IoU 4/5.
    expect(b.r1At05).toBeCloseTo(2 / 3, 10);
    expect(b.mIoU).toBeCloseTo((8 / 12 + 0 + 0.8) / 3, 10);
    // Refused r2 (present) and r4 (absent).
    expect(b.refusal).toEqual({ refused: 2, precision: 0.5, recall: 1 });
    // 0.8 right, 0.7 right: (0.2 + 0.3) / 2.
    expect(b.ece).toBeCloseTo(0.25, 10);
    expect(b.reviewLoad).toMatchObject({ recordings: 4, footageS: 310, watchedS: 14 });
    expect(b.reviewLoad.recall).toBeCloseTo(2 / 3, 10);
  });

  it('gives every model with runs when none is named, and n = 0 to a model that never ran the queries', () => {
    expect(verdictEval({ db }).models.map((m) => m.model)).toEqual(['A', 'B']);
    expect(verdictEval({ db }, ['C']).models[0]).toMatchObject({
      n: 0,
      r1At05: null,
      mIoU: null,
      ece: null,
      refusal: { refused: 0, precision: null, recall: null },
      reviewLoad: { share: null, recall: null },
    });
  });
});

describe('verdictEval on two-stage runs', () => {
  it('gives the audit: of the refused windows audited on the reviewed pairs, the share where a moment was found', () => {
    const runs = new RunsRepo(db);
    const rec = (name: string) =>
      (db.prepare('SELECT id FROM recordings WHERE path = ?').get(`/videos/${name}.mp4`) as { id: number }).id;
    const settings = (audited: number[], found: number) => ({
      stages: { audit: { audited, found } },
      segmentStages: ['candidate'],
    });
    const segments = [{ startS: 10, endS: 20, confidence: 0.9 }];
    seedRun(runs, { query: QUERY, recordingId: rec('r1'), modelName: 'T', settings: settings([1, 4, 7], 1), segments });
    seedRun(runs, { query: QUERY, recordingId: rec('r4'), modelName: 'T', settings: settings([2], 0), segments: [] });
    // r5's pair has no known truth: its run is not scored, nor its audit.
    seedRun(runs, { query: QUERY, recordingId: rec('r5'), modelName: 'T', settings: settings([3], 1), segments: [] });
    const t = verdictEval({ db }, ['T']).models[0]!;
    expect(t.n).toBe(2);
    expect(t.audit).toEqual({ runs: 2, audited: 4, found: 1, share: 0.25 });
    expect(verdictEval({ db }, ['A']).models[0]!.audit).toBeUndefined();
  });
});

describe('unionSeconds', () => {
  it('counts overlapping spans once and clips them to the recording', () => {
    expect(
      unionSeconds(
        [
          { startS: 5, endS: 10 },
          { startS: 8, endS: 12 },
          { startS: 20, endS: 30 },
          { startS: 28, endS: 40 },
        ],
        35,
      ),
    ).toBe(7 + 15);
  });
});
