/**
 * Timeline geometry: which stretch of the recording the canvas shows, time <-> x, zoom
 * around an anchor, and which segment a click hits. Pure, so it is tested under Node.
 */
import type { Span } from '../../../src-shared/span.js';

/** The visible stretch `[startS, startS + spanS]` of a recording `durationS` long, drawn `widthPx` wide. */
export interface TimelineView {
  durationS: number;
  widthPx: number;
  startS: number;
  spanS: number;
}

/** The narrowest stretch zoom goes to, in seconds. */
export const MIN_SPAN_S = 2;

/** Zoom step of the buttons and of one ctrl+wheel notch. */
export const ZOOM_STEP = 2;

/** The whole recording. */
export function fullView(durationS: number, widthPx: number): TimelineView {
  const d = Math.max(durationS, 0);
  return { durationS: d, widthPx: Math.max(widthPx, 1), startS: 0, spanS: Math.max(d, 1e-3) };
}

/** Keeps the span within [min, duration] and the stretch inside the recording. */
export function clampView(view: TimelineView): TimelineView {
  const maxSpan = Math.max(view.durationS, 1e-3);
  const spanS = Math.min(Math.max(view.spanS, Math.min(MIN_SPAN_S, maxSpan)), maxSpan);
  const startS = Math.min(Math.max(view.startS, 0), Math.max(view.durationS - spanS, 0));
  return { ...view, startS, spanS };
}

/** Pixels from the left edge of a time (may fall outside [0, width] when off view). */
export function timeToX(view: TimelineView, t: number): number {
  return ((t - view.startS) / view.spanS) * view.widthPx;
}

/** The time under a pixel, clamped to the recording. */
export function xToTime(view: TimelineView, x: number): number {
  const t = view.startS + (x / view.widthPx) * view.spanS;
  return Math.min(Math.max(t, 0), view.durationS);
}

/** Zooms by `factor` (>1 in, <1 out), keeping the time `anchorS` at the same pixel. */
export function zoomView(view: TimelineView, factor: number, anchorS: number): TimelineView {
  const anchorX = timeToX(view, anchorS);
  const spanS = view.spanS / factor;
  const next = clampView({ ...view, spanS });
  return clampView({ ...next, startS: anchorS - (anchorX / view.widthPx) * next.spanS });
}

/** Moves the view by `deltaS`, staying inside the recording. */
export function panView(view: TimelineView, deltaS: number): TimelineView {
  return clampView({ ...view, startS: view.startS + deltaS });
}

/** Pages the view so `t` is visible: unchanged when it already is, else `t` lands a tenth in. */
export function followView(view: TimelineView, t: number): TimelineView {
  if (t >= view.startS && t <= view.startS + view.spanS) return view;
  return clampView({ ...view, startS: t - view.spanS * 0.1 });
}

/** Sets a new width or duration, keeping the visible stretch. */
export function resizeView(view: TimelineView, durationS: number, widthPx: number): TimelineView {
  if (durationS !== view.durationS && view.spanS >= view.durationS) return fullView(durationS, widthPx);
  return clampView({ ...view, durationS, widthPx: Math.max(widthPx, 1) });
}

/**
 * The segment under pixel `x`, or null. Segments narrower than `tolerancePx` are widened
 * to it so a short one can still be clicked; among overlapping hits the shortest wins
 * (it is the one drawn on top), then the one whose middle is nearest.
 */
export function hitTest<T extends Span>(
  segments: readonly T[],
  view: TimelineView,
  x: number,
  tolerancePx = 3,
): T | null {
  let best: T | null = null;
  let bestLength = Infinity;
  let bestDistance = Infinity;
  for (const segment of segments) {
    const x0 = timeToX(view, segment.startS);
    const x1 = timeToX(view, segment.endS);
    const mid = (x0 + x1) / 2;
    const half = Math.max((x1 - x0) / 2, tolerancePx);
    const distance = Math.abs(x - mid);
    if (distance > half) continue;
    const length = segment.endS - segment.startS;
    if (length < bestLength || (length === bestLength && distance < bestDistance)) {
      best = segment;
      bestLength = length;
      bestDistance = distance;
    }
  }
  return best;
}

/** Segments drawn longest first, so short ones stay visible on top. */
export function drawOrder<T extends Span>(segments: readonly T[]): T[] {
  return [...segments].sort((a, b) => b.endS - b.startS - (a.endS - a.startS));
}

const NICE_STEPS_S = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

/** Seconds between ruler ticks so labels stand at least `minPx` apart. */
export function tickStep(view: TimelineView, minPx = 70): number {
  const perPx = view.spanS / view.widthPx;
  for (const step of NICE_STEPS_S) if (step / perPx >= minPx) return step;
  return NICE_STEPS_S[NICE_STEPS_S.length - 1] ?? 3600;
}
