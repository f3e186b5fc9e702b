/**
 * Pure helpers of the Model quality view: number formats, the review-load sentence, and the
 * geometry of its SVG charts (scales, line paths with gaps, reliability bars).
 */
import type { QualityPoint, QualityScore, Reliability } from '../../../src-shared/quality.js';

/** A share as a percentage with one decimal (`14.6%`); null as an en dash. */
export function formatShare(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(1)}%`;
}

/** An ECE with three decimals; null as an en dash. */
export function formatEce(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '–' : x.toFixed(3);
}

/** What the tool saves the operator: "watch 14.6% of the footage at 66.7% recall". */
export function reviewLoadSentence(load: QualityScore['reviewLoad']): string {
  if (load.share === null) return 'no footage scored yet';
  const watch = `watch ${formatShare(load.share)} of the footage`;
  return load.recall === null
    ? `${watch} (no reviewed moments to measure recall)`
    : `${watch} at ${formatShare(load.recall)} recall`;
}

/**
 * What the audit of a model's two-stage runs says of its first stage: of the windows the
 * candidate model refused that the refining backend audited, the share where it found a
 * moment, e.g. "stage 1 missed a moment in 12.5% of audited windows (8 windows, 2 runs)".
 */
export function auditSentence(audit: NonNullable<QualityScore['audit']>): string {
  const windows = `${audit.audited} window${audit.audited === 1 ? '' : 's'}`;
  const runs = `${audit.runs} run${audit.runs === 1 ? '' : 's'}`;
  if (audit.share === null) return `no audited windows yet (${runs})`;
  return `stage 1 missed a moment in ${formatShare(audit.share)} of audited windows (${windows}, ${runs})`;
}

/** A linear map from `domain` onto `range`; a domain of one value maps to the middle of the range. */
export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** Rounds to 0.1 so paths stay short. */
const r = (v: number) => Math.round(v * 10) / 10;

/**
 * An SVG path through `values` (index i at x(i), value v at y(v)); a null (or non-finite) value
 * breaks the line, and a value between nulls becomes a dot-sized segment so it still shows.
 */
export function linePath(
  values: readonly (number | null)[],
  x: (i: number) => number,
  y: (v: number) => number,
): string {
  const parts: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length === 1) run.push(`h0.1`);
    parts.push(...run);
    run = [];
  };
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      flush();
      return;
    }
    run.push(`${run.length === 0 ? 'M' : 'L'}${r(x(i))},${r(y(v))}`);
  });
  flush();
  return parts.join(' ');
}

/** The metrics the history chart draws, with their labels. */
export const HISTORY_SERIES = [
  { key: 'r1At05', label: 'R1@0.5' },
  { key: 'mIoU', label: 'mIoU' },
  { key: 'ece', label: 'ECE' },
  { key: 'recall', label: 'Review-load recall' },
] as const;

export type HistoryKey = (typeof HISTORY_SERIES)[number]['key'];

/** One metric of every history point, null where the model had nothing scored yet. */
export function seriesValues(points: readonly QualityPoint[], key: HistoryKey): (number | null)[] {
  return points.map((p) => (key === 'recall' ? p.score.reviewLoad.recall : p.score[key]));
}

/** The plot area of a chart inside its viewBox. */
export interface Plot {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  /** What the bar says, for its tooltip. */
  title: string;
}

/**
 * Bars of a reliability diagram: each bin spans its confidence range on x (`slot` of `slots`
 * side-by-side slots, so before and after sit next to each other) and rises to its accuracy.
 */
export function reliabilityBars(reliability: Reliability, plot: Plot, slot = 0, slots = 1): Bar[] {
  const x = linearScale([0, 1], [plot.left, plot.left + plot.width]);
  const y = linearScale([0, 1], [plot.top + plot.height, plot.top]);
  return reliability.bins.map((b) => {
    const slotWidth = (x(b.to) - x(b.from)) / slots;
    const top = y(b.accuracy);
    return {
      x: r(x(b.from) + slot * slotWidth),
      y: r(top),
      width: r(Math.max(0, slotWidth - 1)),
      height: r(plot.top + plot.height - top),
      title: `${b.from.toFixed(1)}–${b.to.toFixed(1)}: ${b.n} segment${b.n === 1 ? '' : 's'}, mean confidence ${b.confidence.toFixed(2)}, right ${formatShare(b.accuracy)}`,
    };
  });
}

/** Short date of an ISO time for axis labels: `3 Mar`. */
export function shortDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]}`;
}

/** Indexes of at most `max` evenly spread labels over `count` points, the first and last included. */
export function labelIndexes(count: number, max: number): number[] {
  if (count <= 0) return [];
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  const step = (count - 1) / (max - 1);
  return [...new Set(Array.from({ length: max }, (_, i) => Math.round(i * step)))];
}
