import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calibratorFor, fitCalibrator, labelled } from '../../../src-main/engine/learning/calibration.js';
import type { DB } from '../../../src-main/engine/store/db.js';
import { RecordingsRepo } from '../../../src-main/engine/store/recordings.js';
import { RunsRepo } from '../../../src-main/engine/store/runs.js';
import { buildReviewedLibrary, seedThirtyReviewed } from '../../fixtures/reviewed-library.js';
import { openTempStore } from '../../support/store.js';
import { seedRecording, seedRun } from '../../fixtures/seed-store.js';

let db: DB;
let close: () => void;

beforeEach(() => {
  ({ db, close } = openTempStore());
});

afterEach(() => close());

/** The 30 reviewed segments of model M on one recording (see seedThirtyReviewed). */
function thirtyReviewed(): void {
  const recordingId = seedRecording(new RecordingsRepo(db), { path: '/v/a.mp4', fingerprint: 'a', durationS: 1000 });
  seedThirtyReviewed(db, recordingId, 'M');
}

describe('calibration labels', () => {
  it('right = accepted or adjusted within IoU 0.5 of the model; wrong = rejected; added and pending count for nothing', () => {
    const lib = buildReviewedLibrary(db);
    const items = labelled(db, 'A');
    expect(items.map((i) => [i.segmentId, i.p, i.y])).toEqual([
      [lib.segments.accepted, 0.9, 1],
      [lib.segments.notPresentR1, 0.3, 0],
      [lib.segments.adjusted, 0.6, 1],
      [lib.segments.notPresentR4, 0.2, 0],
      [lib.segments.wrongTime, 0.4, 0],
    ]);
    expect(labelled(db, 'B')).toEqual([]);
  });
});

describe('fitCalibrator', () => {
  it('keeps the identity below 30 labelled segments', () => {
    buildReviewedLibrary(db);
    const fit = fitCalibrator({ db }, 'A');
    expect(fit.calibrator).toMatchObject({ modelName: 'A', method: 'identity', points: [], n: 5, positives: 2 });
    expect(fit.after).toEqual(fit.before);
    expect(calibratorFor(db, 'A')).toBeNull();
  });

  it('fits isotonic on 30, stores it, and maps new confidences through it', () => {
    thirtyReviewed();
    const fit = fitCalibrator({ db }, 'M');
    // Right shares 0.2, 0.1, 0.9: the first two pool to 3/20.
    expect(fit.calibrator).toMatchObject({ method: 'isotonic', n: 30, positives: 12 });
    expect(fit.calibrator.points).toEqual([
      [0.2, 0.15],
      [0.5, 0.15],
      [0.8, 0.9],
    ]);
    // Before: bins 0.2 (0.2 right), 0.5 (0.1), 0.8 (0.9): (0 + 0.4 + 0.1) * 10 / 30.
    expect(fit.before.ece).toBeCloseTo(0.5 / 3, 10);
    expect(fit.after.n).toBe(30);
    const calibrated = calibratorFor(db, 'M');
    expect(calibrated?.apply(0.65)).toBeCloseTo(0.15 + ((0.75 * 0.15) / 0.3) * 1, 10);
    expect(calibrated?.apply(0.1)).toBe(0.15);
    expect(calibrated?.apply(0.95)).toBe(0.9);
    expect(calibratorFor(db, 'M')?.info).toMatchObject({ method: 'isotonic', n: 30 });
    // Another model keeps its own confidence.
    expect(calibratorFor(db, 'other')).toBeNull();
  });

  it("fits on the model's own confidence, not on a calibrated one shown to the operator", () => {
    thirtyReviewed();
    db.prepare('UPDATE segments SET confidence = 1 - confidence').run();
    expect(fitCalibrator({ db }, 'M').calibrator.points).toEqual([
      [0.2, 0.15],
      [0.5, 0.15],
      [0.8, 0.9],
    ]);
  });
});

describe('runs keep the raw confidence', () => {
  it("stores the model's own confidence beside the calibrated one", () => {
    const lib = buildReviewedLibrary(db);
    const runId = seedRun(new RunsRepo(db), {
      recordingId: lib.recordings.r1,
      modelName: 'A',
      segments: [{ startS: 1, endS: 2, confidence: 0.7, rawConfidence: 0.4 }],
    });
    expect(db.prepare('SELECT confidence, raw_confidence FROM segments WHERE run_id = ?').get(runId)).toEqual({
      confidence: 0.7,
      raw_confidence: 0.4,
    });
  });
});
