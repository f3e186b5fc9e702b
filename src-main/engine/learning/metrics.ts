/**
 * Temporal grounding metrics, pure functions over numbers. The recall and mAP definitions
 * follow the QVHighlights standalone evaluation (github.com/jayleicn/moment_detr,
 * standalone_eval/eval.py and standalone_eval/utils.py, itself taken from MMAction2's
 * eval_detection.py); this is a re-implementation, see each function for what it mirrors.
 */
import type { Span } from '../../../src-shared/span.js';
import type { ScoredSpan } from './predictions.js';

/** IoU 0.5:0.05:0.95, written as the official eval rounds them (two decimals). */
export const MAP_THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95] as const;

/**
 * IoU of a prediction with a ground-truth window, as compute_temporal_iou_batch_paired:
 * intersection over the hull (the union whenever they overlap); 0 when the hull is empty.
 */
export function temporalIoU(a: Span, b: Span): number {
  const inter = Math.max(0, Math.min(a.endS, b.endS) - Math.max(a.startS, b.startS));
  const union = Math.max(a.endS, b.endS) - Math.min(a.startS, b.startS);
  return union > 0 ? inter / union : 0;
}

/**
 * IoU as compute_temporal_iou_batch_cross computes it for mAP: union = both lengths minus the
 * intersection. Two zero-length windows (NaN there) count as 0 here.
 */
function crossIoU(a: Span, b: Span): number {
  const inter = Math.max(0, Math.min(a.endS, b.endS) - Math.max(a.startS, b.startS));
  const union = a.endS - a.startS + (b.endS - b.startS) - inter;
  return union > 0 ? inter / union : 0;
}

/** A segment clipped to [0, duration]; one wholly past the end becomes [duration, duration]. */
export function clipSpan<T extends Span>(s: T, durationS: number): T {
  const startS = Math.min(Math.max(0, s.startS), durationS);
  const endS = Math.min(Math.max(0, s.endS), durationS);
  return { ...s, startS, endS: Math.max(startS, endS) };
}

/** The best IoU of one prediction with any of the ground-truth windows (compute_mr_r1 picks that window). */
export function bestIoU(pred: Span, moments: readonly Span[]): number {
  return moments.reduce((best, m) => Math.max(best, temporalIoU(pred, m)), 0);
}

/** Fraction of values >= threshold; null for none. */
export function recallAt(ious: readonly number[], threshold: number): number | null {
  return ious.length === 0 ? null : ious.filter((v) => v >= threshold).length / ious.length;
}

/** The arithmetic mean; null for no values. */
export function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * VOC-style interpolated AP, as interpolated_precision_recall: precision padded with 0 at both
 * ends and made non-increasing from the right, recall padded with 0 and 1, summed over the
 * points where recall changes.
 */
function interpolatedAP(precision: readonly number[], recall: readonly number[]): number {
  const p = [0, ...precision, 0];
  const r = [0, ...recall, 1];
  for (let i = p.length - 2; i >= 0; i--) p[i] = Math.max(p[i] as number, p[i + 1] as number);
  let ap = 0;
  for (let i = 1; i < r.length; i++)
    if (r[i] !== r[i - 1]) ap += ((r[i] as number) - (r[i - 1] as number)) * (p[i] as number);
  return ap;
}

/**
 * AP of one query at each threshold, as compute_average_precision_detection: predictions by
 * decreasing score (a stable sort: ties keep their listed order, as Python's sort does); each
 * goes to the unmatched ground-truth window of highest IoU at or above the threshold (equal
 * IoUs: the later window first, as numpy's argsort()[::-1]), else it is a false positive;
 * AP from the cumulative precision and recall, interpolated. No predictions: AP 0.
 */
export function averagePrecision(
  moments: readonly Span[],
  predictions: readonly ScoredSpan[],
  thresholds: readonly number[] = MAP_THRESHOLDS,
): number[] {
  if (predictions.length === 0 || moments.length === 0) return thresholds.map(() => 0);
  const ranked = [...predictions].sort((a, b) => b.score - a.score);
  const locked = thresholds.map(() => moments.map(() => false));
  const tp = thresholds.map(() => [] as number[]);
  for (const pred of ranked) {
    const ious = moments.map((m) => crossIoU(pred, m));
    const order = ious
      .map((_, j) => j)
      .sort((a, b) => (ious[a] as number) - (ious[b] as number))
      .reverse();
    thresholds.forEach((t, ti) => {
      const hit = order.find((j) => (ious[j] as number) >= t && !locked[ti]?.[j]);
      // The official loop stops at the first window under the threshold; in IoU order that is the same.
      if (hit !== undefined) (locked[ti] as boolean[])[hit] = true;
      tp[ti]?.push(hit === undefined ? 0 : 1);
    });
  }
  return thresholds.map((_, ti) => {
    let hits = 0;
    const precision: number[] = [];
    const recall: number[] = [];
    (tp[ti] as number[]).forEach((h, k) => {
      hits += h;
      precision.push(hits / (k + 1));
      recall.push(hits / moments.length);
    });
    return interpolatedAP(precision, recall);
  });
}

/**
 * Refusal as a detector of queries that do not happen: a refusal on such a query is a true
 * positive, a refusal on a query that happens a false positive, an answer (or none) on a
 * query that does not happen a false negative. Null where the ratio has no denominator.
 */
export function refusalScores(items: readonly { hasMoment: boolean; refused: boolean }[]): {
  precision: number | null;
  recall: number | null;
  n: number;
} {
  const tp = items.filter((i) => i.refused && !i.hasMoment).length;
  const refusals = items.filter((i) => i.refused).length;
  const n = items.filter((i) => !i.hasMoment).length;
  return { precision: refusals === 0 ? null : tp / refusals, recall: n === 0 ? null : tp / n, n };
}

/**
 * A fraction as the papers print it: percent with two decimals, rounded as Python's
 * f"{100 * v:.2f}" (exact halves to even; toFixed would round them up).
 */
export function percent(x: number | null): number | null {
  if (x === null) return null;
  const v = x * 100;
  // A double sits exactly halfway between two hundredths only when 8v is an odd integer.
  if (Number.isInteger(v * 8) && Math.abs(v * 8) % 2 === 1) {
    const down = Math.floor(v * 100);
    return (down % 2 === 0 ? down : down + 1) / 100;
  }
  return Number(v.toFixed(2));
}
