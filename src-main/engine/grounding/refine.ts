import type { PlannedFrame } from '../../../src-shared/scans.js';
import type { Span } from './iou.js';

/** Frames of the dense second look: `fps` frames per second within `radiusS` of each boundary. */
export function refinementFrames(
  span: Span,
  durationS: number,
  size: { width: number; height: number; tokens: number },
  opts: { radiusS?: number; fps?: number } = {},
): PlannedFrame[] {
  const radius = opts.radiusS ?? 2;
  const step = 1 / (opts.fps ?? 4);
  const last = Math.max(0, durationS - 0.1);
  const times = new Set<number>();
  for (const b of [span.startS, span.endS]) {
    for (let t = b - radius; t <= b + radius + 1e-9; t += step) {
      times.add(Math.round(Math.min(last, Math.max(0, t)) * 1000) / 1000);
    }
  }
  // One frame in the middle keeps the event's content in view when the boundaries are far apart.
  times.add(Math.round(((span.startS + span.endS) / 2) * 1000) / 1000);
  return [...times].sort((a, b) => a - b).map((t) => ({ t, ...size }));
}

/** Moves each boundary to the nearest SAA change point within `maxS`, if there is one. */
export function snapToChangePoints(span: Span, changePoints: readonly number[], maxS = 1): Span {
  const snap = (t: number): number => {
    let best = t;
    let dist = maxS;
    for (const c of changePoints) {
      const d = Math.abs(c - t);
      if (d <= dist) {
        best = c;
        dist = d;
      }
    }
    return best;
  };
  const startS = snap(span.startS);
  const endS = snap(span.endS);
  return endS > startS ? { startS, endS } : span;
}
