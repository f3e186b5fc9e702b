import { iou, type Span } from '../../../src-shared/span.js';

export interface ScoredSegment extends Span {
  confidence: number;
  /** Index of the window that found it. */
  window: number;
}

/** A kept segment and the indices of the windows that saw it (their pieces joined or suppressed). */
interface Kept<T> {
  segment: T;
  windows: Set<number>;
}

const overlaps = (a: Span, b: Span): boolean => Math.min(a.endS, b.endS) - Math.max(a.startS, b.startS) > 0;

/** Whether a window of `a` neighbours one of `b` (indices one apart) and their spans overlap. */
function across(a: Kept<ScoredSegment>, b: Kept<ScoredSegment>): boolean {
  if (!overlaps(a.segment, b.segment)) return false;
  for (const w of a.windows) if (b.windows.has(w - 1) || b.windows.has(w + 1)) return true;
  return false;
}

/** Widens `into` by `from`'s span and takes on its windows. */
function join<T extends ScoredSegment>(into: Kept<T>, from: Kept<T>): void {
  into.segment.startS = Math.min(into.segment.startS, from.segment.startS);
  into.segment.endS = Math.max(into.segment.endS, from.segment.endS);
  for (const w of from.windows) into.windows.add(w);
}

/**
 * Merges the segments of all windows into one ranked list. Highest confidence first: a segment
 * whose IoU with a kept one is above `threshold` is suppressed (the same event found twice: its
 * window counts as one that saw the kept one, its span does not); one that overlaps a kept one
 * seen by a neighbouring window (index one apart from any window that saw it) is joined to it
 * (an event across window cuts, each window seeing a part), so a chain of pieces over
 * consecutive windows becomes one segment. A piece that links two
 * kept segments that way (the middle of a chain, found after both ends) joins them into the
 * stronger. Two segments of one window, or of windows that are not neighbours, stay apart unless
 * such a piece links them. A joined segment keeps its strongest piece's confidence and window.
 * Returns the survivors ranked by confidence; the input is not changed.
 */
export function mergeSegments<T extends ScoredSegment>(segments: readonly T[], threshold = 0.5): T[] {
  const ranked = [...segments]
    .filter((s) => s.endS > s.startS)
    .sort((a, b) => b.confidence - a.confidence || a.startS - b.startS);
  const kept: Kept<T>[] = [];
  for (const s of ranked) {
    const same = kept.find((k) => iou(k.segment, s) > threshold);
    if (same) {
      same.windows.add(s.window);
      continue;
    }
    const piece = { segment: { ...s }, windows: new Set([s.window]) };
    const [into, ...linked] = kept.filter((k) => across(k, piece));
    if (!into) {
      kept.push(piece);
      continue;
    }
    join(into, piece);
    for (const k of linked) {
      join(into, k);
      kept.splice(kept.indexOf(k), 1);
    }
  }
  return kept.map((k) => k.segment);
}
