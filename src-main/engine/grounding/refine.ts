import type { PlannedFrame } from '../../../src-shared/scans.js';
import { frameSize, type FrameSize } from '../saa/tokens.js';
import type { Span } from '../../../src-shared/span.js';
import { windowTokens } from './windows.js';

export interface RefineOptions {
  /** Seconds either side of each boundary (default 2). */
  radiusS?: number;
  /** Frames per second near the boundaries (default 4). */
  fps?: number;
  /** Visual tokens the look may spend (the model's context); none: no bound. */
  maxTokens?: number;
  /** Whether the backend pairs same-size neighbours (they then cost one frame's tokens). */
  pairFrames?: boolean;
  /** Tokens a frame of a size costs the model; default: the size's own count (Qwen2-VL's defaults). */
  visualTokens?: (width: number, height: number) => number;
}

/** Times of the look: `fps` a second within `radiusS` of each boundary, and the middle of the span. */
function lookTimes(span: Span, durationS: number, radius: number, fps: number): number[] {
  const step = 1 / fps;
  const last = Math.max(0, durationS - 0.1);
  const times = new Set<number>();
  for (const b of [span.startS, span.endS]) {
    for (let t = b - radius; t <= b + radius + 1e-9; t += step) {
      times.add(Math.round(Math.min(last, Math.max(0, t)) * 1000) / 1000);
    }
  }
  // One frame in the middle keeps the event's content in view when the boundaries are far apart.
  times.add(Math.round(((span.startS + span.endS) / 2) * 1000) / 1000);
  return [...times].sort((a, b) => a - b);
}

/** The next smaller Qwen2-VL size of the same shape, or null at the smallest. */
function smaller(size: FrameSize): FrameSize | null {
  const s = frameSize(size.height, size.width, size.width * size.height * 0.8);
  return s.width * s.height < size.width * size.height ? s : null;
}

/**
 * Frames of the dense second look at a segment: `fps` frames per second within `radiusS`
 * of each boundary, at `size`. When they would not fit `maxTokens`, the frames get smaller
 * first (a boundary needs time more than detail), and only at the smallest size fewer.
 */
export function refinementFrames(
  span: Span,
  durationS: number,
  size: FrameSize,
  opts: RefineOptions = {},
): PlannedFrame[] {
  const radius = opts.radiusS ?? 2;
  const pair = opts.pairFrames ?? false;
  const max = opts.maxTokens ?? Infinity;
  let fps = opts.fps ?? 4;
  let at = size;
  for (;;) {
    const tokens = opts.visualTokens ? opts.visualTokens(at.width, at.height) : at.tokens;
    const frames = lookTimes(span, durationS, radius, fps).map((t) => ({ t, ...at, tokens }));
    if (windowTokens(frames, pair) <= max || fps <= 0.25) return frames;
    const next = smaller(at);
    if (next) at = next;
    else fps /= 2;
  }
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
