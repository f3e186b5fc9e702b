/** A stretch of a recording in seconds from its start: a segment, a window, a moment's truth. */
export interface Span {
  startS: number;
  endS: number;
}

/** Temporal intersection over union of two spans; 0 when either is empty and they differ. */
export function iou(a: Span, b: Span): number {
  const inter = Math.max(0, Math.min(a.endS, b.endS) - Math.max(a.startS, b.startS));
  const union = Math.max(a.endS, b.endS) - Math.min(a.startS, b.startS);
  if (union <= 0) return a.startS === b.startS ? 1 : 0;
  return inter / union;
}
