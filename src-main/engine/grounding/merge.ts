import { iou, type Span } from '../../../src-shared/span.js';

export interface ScoredSegment extends Span {
  confidence: number;
  /** Index of the window that found it. */
  window: number;
}

/**
 * Merges the segments of all windows into one ranked list. Highest confidence first: a segment
 * whose IoU with a kept one is above `threshold` is suppressed (the same event found twice); one
 * from a neighbouring window that overlaps a kept one is joined to it (an event across a window
 * cut, each window seeing a part). Returns the survivors ranked by confidence.
 */
export function mergeSegments<T extends ScoredSegment>(segments: readonly T[], threshold = 0.5): T[] {
  const ranked = [...segments]
    .filter((s) => s.endS > s.startS)
    .sort((a, b) => b.confidence - a.confidence || a.startS - b.startS);
  const kept: T[] = [];
  for (const s of ranked) {
    if (kept.some((k) => iou(k, s) > threshold)) continue;
    const across = kept.find(
      (k) => Math.abs(k.window - s.window) === 1 && Math.min(k.endS, s.endS) - Math.max(k.startS, s.startS) > 0,
    );
    if (across) {
      across.startS = Math.min(across.startS, s.startS);
      across.endS = Math.max(across.endS, s.endS);
      continue;
    }
    kept.push({ ...s });
  }
  return kept;
}
