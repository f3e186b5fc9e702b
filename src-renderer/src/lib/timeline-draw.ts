/**
 * Drawing of the timeline canvas. The still part (ruler, strips, segments) is drawn once
 * per change of data or view into a layer; each animation frame only copies the layer
 * and draws the playhead, so 10,000 segments cost nothing while the video plays.
 */
import type { SegmentState } from '../../../src-shared/api.js';
import type { Span } from '../../../src-shared/span.js';
import { drawOrder, tickStep, timeToX, type TimelineView } from './timeline.js';
import { formatDuration, formatTime } from './format.js';

/** Rows of the canvas, in CSS pixels from the top. */
export const LAYOUT = {
  height: 96,
  ruler: { y: 0, h: 18 },
  relevance: { y: 22, h: 12 },
  activity: { y: 38, h: 14 },
  segments: { y: 58, h: 34 },
} as const;

export const STATE_COLOURS: Readonly<Record<SegmentState, string>> = {
  pending: '#d39e00',
  accepted: '#2e9e4f',
  rejected: '#c93c3c',
  adjusted: '#3a6fd8',
};

export interface TimelineSegment extends Span {
  id: number;
  state: SegmentState;
}

export interface TimelineData {
  segments: readonly TimelineSegment[];
  relevance: readonly (Span & { score: number })[];
  activity: readonly number[];
  activityStepS: number;
  selectedId: number | null;
  /** Pending start and end of a segment the operator is marking (I/O with none selected). */
  markIn: number | null;
  markOut: number | null;
}

/** Draws everything but the playhead. `ctx` is scaled so one unit is one CSS pixel. */
export function drawStill(ctx: CanvasRenderingContext2D, view: TimelineView, data: TimelineData): void {
  const w = view.widthPx;
  ctx.clearRect(0, 0, w, LAYOUT.height);
  drawRuler(ctx, view);
  drawRelevance(ctx, view, data.relevance);
  drawActivity(ctx, view, data.activity, data.activityStepS);
  drawSegments(ctx, view, data.segments, data.selectedId);
  for (const mark of [data.markIn, data.markOut]) {
    if (mark === null) continue;
    const x = Math.round(timeToX(view, mark)) + 0.5;
    ctx.fillStyle = '#7a3fb0';
    ctx.fillRect(x - 1, LAYOUT.relevance.y, 2, LAYOUT.height - LAYOUT.relevance.y);
  }
}

function drawRuler(ctx: CanvasRenderingContext2D, view: TimelineView): void {
  const step = tickStep(view);
  const { y, h } = LAYOUT.ruler;
  ctx.fillStyle = '#f1f3f5';
  ctx.fillRect(0, y, view.widthPx, h);
  ctx.fillStyle = '#555';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const first = Math.ceil(view.startS / step) * step;
  for (let t = first; t <= view.startS + view.spanS; t += step) {
    const x = Math.round(timeToX(view, t));
    ctx.fillRect(x, y + h - 5, 1, 5);
    ctx.fillText(step >= 1 ? formatDuration(t) : formatTime(t), x + 3, y + h / 2 - 1);
  }
}

function drawRelevance(ctx: CanvasRenderingContext2D, view: TimelineView, windows: TimelineData['relevance']): void {
  const { y, h } = LAYOUT.relevance;
  ctx.fillStyle = '#e9ecef';
  ctx.fillRect(0, y, view.widthPx, h);
  for (const window of windows) {
    const x0 = timeToX(view, window.startS);
    const x1 = timeToX(view, window.endS);
    if (x1 < 0 || x0 > view.widthPx) continue;
    // Refused windows (score 0) stay faintly visible: the model looked there.
    ctx.fillStyle = `rgba(111, 66, 193, ${(0.12 + 0.88 * window.score).toFixed(3)})`;
    ctx.fillRect(x0, y, Math.max(x1 - x0, 1), h);
  }
}

/** Activity per pixel column: the highest value of the steps under it. */
export function activityColumns(view: TimelineView, activity: readonly number[], stepS: number): Float32Array {
  const columns = new Float32Array(Math.ceil(view.widthPx));
  if (activity.length === 0 || !(stepS > 0)) return columns;
  const perPx = view.spanS / view.widthPx;
  for (let px = 0; px < columns.length; px++) {
    const t0 = view.startS + px * perPx;
    const i0 = Math.max(0, Math.floor(t0 / stepS));
    const i1 = Math.min(activity.length, Math.max(i0 + 1, Math.ceil((t0 + perPx) / stepS)));
    let max = 0;
    for (let i = i0; i < i1; i++) max = Math.max(max, activity[i] ?? 0);
    columns[px] = max;
  }
  return columns;
}

function drawActivity(
  ctx: CanvasRenderingContext2D,
  view: TimelineView,
  activity: readonly number[],
  stepS: number,
): void {
  const { y, h } = LAYOUT.activity;
  ctx.fillStyle = '#e9ecef';
  ctx.fillRect(0, y, view.widthPx, h);
  const endX = timeToX(view, view.durationS);
  const columns = activityColumns(view, activity, stepS);
  ctx.fillStyle = '#0b7285';
  for (let px = 0; px < columns.length && px < endX; px++) {
    const value = columns[px] ?? 0;
    if (value <= 0) continue;
    const bar = Math.max(1, value * h);
    ctx.fillRect(px, y + h - bar, 1, bar);
  }
}

/** Draws the segments in view, longest first; returns how many it drew (for tests). */
export function drawSegments(
  ctx: CanvasRenderingContext2D,
  view: TimelineView,
  segments: readonly TimelineSegment[],
  selectedId: number | null,
): number {
  const { y, h } = LAYOUT.segments;
  ctx.fillStyle = '#f8f9fa';
  ctx.fillRect(0, y, view.widthPx, h);
  let drawn = 0;
  let selected: TimelineSegment | null = null;
  for (const segment of drawOrder(segments)) {
    const x0 = timeToX(view, segment.startS);
    const x1 = timeToX(view, segment.endS);
    if (x1 < 0 || x0 > view.widthPx) continue;
    if (segment.id === selectedId) selected = segment;
    const rejected = segment.state === 'rejected';
    ctx.fillStyle = STATE_COLOURS[segment.state];
    ctx.fillRect(x0, rejected ? y + h / 2 : y + 2, Math.max(x1 - x0, 2), rejected ? h / 2 - 2 : h - 4);
    drawn++;
  }
  if (selected) {
    const x0 = timeToX(view, selected.startS);
    const x1 = timeToX(view, selected.endS);
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2;
    ctx.strokeRect(x0 - 1, y, Math.max(x1 - x0, 2) + 2, h);
  }
  return drawn;
}

/** Draws the playhead over the still layer. */
export function drawPlayhead(ctx: CanvasRenderingContext2D, view: TimelineView, t: number): void {
  const x = Math.round(timeToX(view, t));
  if (x < -2 || x > view.widthPx + 2) return;
  ctx.fillStyle = '#e03131';
  ctx.fillRect(x - 1, 0, 2, LAYOUT.height);
}
