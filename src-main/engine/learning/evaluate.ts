import type { EvalFormat, EvalItem, Skipped } from './datasets/types.js';
import {
  averagePrecision,
  bestIoU,
  clipSpan,
  MAP_THRESHOLDS,
  mean,
  percent,
  recallAt,
  refusalScores,
} from './metrics.js';
import type { Prediction } from './predictions.js';
import { reliability } from './reliability.js';

/** Predictions per query that QVHighlights' mAP looks at (max_pred_windows of the official eval). */
const MAX_PRED_WINDOWS = 10;

/** What `tempo eval` prints: metrics in percent with two decimals (null where undefined). */
export interface EvalReport {
  format: EvalFormat;
  /** Items scored: `n - refusal.n` have a moment (R1, mIoU and mAP average over those). */
  n: number;
  'R1@0.3': number | null;
  'R1@0.5': number | null;
  'R1@0.7': number | null;
  mIoU: number | null;
  'mAP@0.5'?: number | null;
  'mAP@0.75'?: number | null;
  mAP?: number | null;
  /** Refusal as a detector of queries without a moment; n = those queries. */
  refusal: { precision: number | null; recall: number | null; n: number };
  /** Calibration error of the top-1 confidence (correct = IoU >= 0.5), over items with an answer. */
  ECE: number | null;
  /** Items without a prediction line (scored as not answered). */
  missing: number;
  /** Prediction lines whose id is not among the items scored. */
  unmatched: number;
  skipped: Skipped[];
}

/**
 * Scores predictions against items that all have a duration. Top-1 is the first segment
 * listed (the official R1 takes pred_relevant_windows[0]); segments are clipped to
 * [0, duration]. A query with a moment and no segment (refused, unparsed, no line) has IoU 0;
 * with several ground-truth windows the top-1 is compared with the one it overlaps best.
 *
 * mAP (QVHighlights) is averaged over the queries that have a moment, with the first
 * MAX_PRED_WINDOWS segments of each; unlike the official script, which leaves a query with no
 * predicted window out of the mean, such a query counts with AP 0 here.
 */
export function scoreItems(
  format: EvalFormat,
  items: readonly (EvalItem & { durationS: number })[],
  predictions: ReadonlyMap<string, Prediction>,
  skipped: Skipped[] = [],
): EvalReport {
  const ious: number[] = [];
  const aps: number[][] = [];
  const calibration: { p: number; y: number }[] = [];
  const refusals: { hasMoment: boolean; refused: boolean }[] = [];
  let missing = 0;
  for (const item of items) {
    const p = predictions.get(item.id);
    if (!p) missing++;
    const segments = (p?.segments ?? []).map((s) => clipSpan(s, item.durationS));
    const top = segments[0];
    const hasMoment = item.moments.length > 0;
    const iou = top && hasMoment ? bestIoU(top, item.moments) : 0;
    if (hasMoment) {
      ious.push(iou);
      if (format === 'qvhighlights') aps.push(averagePrecision(item.moments, segments.slice(0, MAX_PRED_WINDOWS)));
    }
    if (top) calibration.push({ p: top.score, y: hasMoment && iou >= 0.5 ? 1 : 0 });
    refusals.push({ hasMoment, refused: p?.refused ?? false });
  }
  const ids = new Set(items.map((i) => i.id));
  const refusal = refusalScores(refusals);
  return {
    format,
    n: items.length,
    'R1@0.3': percent(recallAt(ious, 0.3)),
    'R1@0.5': percent(recallAt(ious, 0.5)),
    'R1@0.7': percent(recallAt(ious, 0.7)),
    mIoU: percent(mean(ious)),
    ...(format === 'qvhighlights' ? meanAveragePrecisions(aps) : {}),
    refusal: { precision: percent(refusal.precision), recall: percent(refusal.recall), n: refusal.n },
    ECE: percent(topOneECE(calibration)),
    missing,
    unmatched: [...predictions.keys()].filter((id) => !ids.has(id)).length,
    skipped,
  };
}

/**
 * Expected calibration error of the top-1 confidences (10 bins); null for none, or when a
 * confidence is outside [0, 1] (a score, not a probability).
 */
function topOneECE(items: readonly { p: number; y: number }[]): number | null {
  return items.some((i) => !(i.p >= 0 && i.p <= 1)) ? null : reliability(items).ece;
}

/** mAP at 0.5, at 0.75, and averaged over MAP_THRESHOLDS, from each query's AP per threshold. */
function meanAveragePrecisions(aps: readonly number[][]): Pick<EvalReport, 'mAP@0.5' | 'mAP@0.75' | 'mAP'> {
  const perThreshold = MAP_THRESHOLDS.map((_, t) => mean(aps.map((ap) => ap[t] as number)));
  const at = (thd: number) =>
    percent(perThreshold[MAP_THRESHOLDS.indexOf(thd as (typeof MAP_THRESHOLDS)[number])] ?? null);
  return {
    'mAP@0.5': at(0.5),
    'mAP@0.75': at(0.75),
    mAP: aps.length === 0 ? null : percent(mean(perThreshold as number[])),
  };
}
