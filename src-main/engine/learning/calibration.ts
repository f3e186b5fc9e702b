import type { Reliability } from '../../../src-shared/quality.js';
import { iou } from '../../../src-shared/span.js';
import type { DB } from '../store/db.js';
import { CalibratorsRepo, type StoredCalibrator } from '../store/calibrators.js';
import { ReviewedRepo, type ReviewedVerdict } from '../store/reviewed.js';
import { applyCalibration, fitIsotonic, type CalibrationPoint } from './isotonic.js';
import { reliability } from './reliability.js';

/** Below this many labelled segments a model keeps its own confidence (the identity map). */
export const MIN_CALIBRATION_VERDICTS = 30;

/** A model segment counts as right when the operator kept it with bounds this close (IoU) to the model's. */
const RIGHT_IOU = 0.5;

/** Folds of the cross-validated "after" reliability. */
const FOLDS = 5;

/**
 * The label of a reviewed model segment, for calibration: 1 (right) when its standing verdict
 * is accept or adjust and the bounds the operator kept have IoU >= 0.5 with the bounds the model
 * gave; 0 (wrong) when it is rejected, whatever the reason, or adjusted further than that;
 * null (not a label) for an operator-added segment or one without a confidence.
 */
function segmentLabel(v: ReviewedVerdict): 0 | 1 | null {
  if (v.segmentSource !== 'model' || v.rawConfidence === null || v.modelSpan === null) return null;
  if (v.verdict === 'reject') return 0;
  if (v.verdict === 'add' || v.span === null) return null;
  return iou(v.span, v.modelSpan) >= RIGHT_IOU ? 1 : 0;
}

/** A model's labelled segments: the model's own confidence and whether the segment was right. */
export function labelled(db: DB, modelName: string): { segmentId: number; p: number; y: number }[] {
  return new ReviewedRepo(db).standing().flatMap((v) => {
    const y = v.modelName === modelName ? segmentLabel(v) : null;
    return y === null ? [] : [{ segmentId: v.segmentId, p: v.rawConfidence as number, y }];
  });
}

export interface CalibrationFit {
  calibrator: StoredCalibrator;
  /** Reliability of the model's own confidences on the labelled segments. */
  before: Reliability;
  /**
   * Reliability after calibration, each segment calibrated by a map fitted without it (5 folds
   * by segment id), so it is not flattered by fitting and measuring on the same segments.
   */
  after: Reliability;
}

function fit(items: readonly { p: number; y: number }[]): CalibrationPoint[] {
  return fitIsotonic(
    items.map((i) => i.p),
    items.map((i) => i.y),
  );
}

/**
 * Fits and stores a model's calibrator on its reviewed segments: isotonic regression of right
 * (1) or wrong (0) on the model's own confidence, or the identity below
 * MIN_CALIBRATION_VERDICTS labelled segments. Replaces the model's previous calibrator.
 */
export function fitCalibrator(store: { db: DB }, modelName: string): CalibrationFit {
  const items = labelled(store.db, modelName);
  const enough = items.length >= MIN_CALIBRATION_VERDICTS;
  const calibrator = new CalibratorsRepo(store.db).put({
    modelName,
    method: enough ? 'isotonic' : 'identity',
    points: enough ? fit(items) : [],
    n: items.length,
    positives: items.filter((i) => i.y === 1).length,
  });
  const before = reliability(items);
  if (!enough) return { calibrator, before, after: before };
  return { calibrator, before, after: crossValidated(items) };
}

/**
 * Reliability after isotonic calibration of labelled segments, each calibrated by a map fitted
 * without it (5 folds by segment id). Reads and writes nothing.
 */
export function crossValidated(items: readonly { segmentId: number; p: number; y: number }[]): Reliability {
  const crossed = items.map((item) => {
    const fold = item.segmentId % FOLDS;
    const map = fit(items.filter((o) => o.segmentId % FOLDS !== fold));
    return { p: applyCalibration(map, item.p), y: item.y };
  });
  return reliability(crossed);
}

/** What a run records about the calibration its confidences went through. */
export interface CalibrationInfo {
  method: 'isotonic';
  n: number;
  fittedAt: string;
}

/** The stored calibrator of a model as a function, or null when it has none or keeps its own confidence. */
export function calibratorFor(
  db: DB,
  modelName: string,
): { apply: (confidence: number) => number; info: CalibrationInfo } | null {
  const c = new CalibratorsRepo(db).get(modelName);
  if (!c || c.method !== 'isotonic' || c.points.length === 0) return null;
  return {
    apply: (confidence) => Math.min(1, Math.max(0, applyCalibration(c.points, confidence))),
    info: { method: c.method, n: c.n, fittedAt: c.fittedAt },
  };
}
