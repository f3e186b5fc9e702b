/**
 * What a two-stage run sends its second stage (two-stage.ts): the parts of the recording
 * around the first stage's unsure segments (not the first-stage windows that found them), and an
 * audit sample of the windows the first stage refused, drawn with a seeded random so that a run
 * can say (and repeat) what it drew.
 */
import type { Span } from '../../../src-shared/span.js';
import type { FoundSegment, WindowOutcome } from './window-answers.js';

/**
 * The fewest seconds added either side of an unsure segment (past its window's edge too), so its
 * boundaries are seen from both sides.
 */
export const REFINE_PAD_S = 2;

/** A seeded random in [0, 1) (mulberry32): the same seed draws the same numbers. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Joins spans that overlap or touch into one; sorted by start. */
export function unionSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.startS - b.startS);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.startS <= last.endS) last.endS = Math.max(last.endS, s.endS);
    else out.push({ startS: s.startS, endS: s.endS });
  }
  return out;
}

/** The first stage's segments split at the threshold: kept as they are, and sent on to the second stage. */
export function splitByConfidence<T extends FoundSegment>(
  segments: readonly T[],
  below: number,
): { confident: T[]; unsure: T[] } {
  return {
    confident: segments.filter((s) => s.confidence >= below),
    unsure: segments.filter((s) => s.confidence < below),
  };
}

/**
 * The share of an unsure segment's length added either side of it (when more than `REFINE_PAD_S`).
 * A first-stage candidate comes from few samples of small frames: each of its boundaries sits at
 * the first or last sampled frame that showed the event, so it can be off by a sample interval, and
 * an unsure candidate has often seen only part of the event. A quarter of its length either side
 * (a span 1.5 times the candidate) covers a boundary that is off by part of the segment's length
 * while keeping the second stage near the candidate: it grows with the moment, not with the
 * first-stage window, which covers minutes.
 */
export const REFINE_SHARE = 0.25;

/**
 * The parts of the recording the second stage looks at for the unsure segments: each segment
 * widened either side by `REFINE_SHARE` of its length, as far as the first-stage window that found
 * it (or the segment, where a joined one runs past that window), and by at least `REFINE_PAD_S`
 * even past the window's edge, so that a boundary at the edge is seen from both sides; within the
 * recording, spans that overlap or touch joined into one.
 */
export function refineSpans(
  unsure: readonly FoundSegment[],
  windows: readonly WindowOutcome[],
  durationS: number,
): Span[] {
  const byIndex = new Map(windows.map((w) => [w.index, w]));
  const spans = unsure.map((s) => {
    const w = byIndex.get(s.window);
    const share = (s.endS - s.startS) * REFINE_SHARE;
    const fromS = Math.max(s.startS - share, Math.min(s.startS, w?.startS ?? s.startS));
    const toS = Math.min(s.endS + share, Math.max(s.endS, w?.endS ?? s.endS));
    return {
      startS: Math.max(0, Math.min(s.startS - REFINE_PAD_S, fromS)),
      endS: Math.min(durationS, Math.max(s.endS + REFINE_PAD_S, toS)),
    };
  });
  return unionSpans(spans);
}

/** How many of `n` refused windows an audit of `share` takes: at least one when there are any and the share is above 0. */
export function auditCount(n: number, share: number): number {
  if (n === 0 || share <= 0) return 0;
  return Math.min(n, Math.max(1, Math.round(n * share)));
}

/**
 * The refused windows to audit: `auditCount` of them drawn without repeats by a random seeded
 * with `seed`, in window order. The same windows and seed draw the same sample.
 */
export function auditSample(windows: readonly WindowOutcome[], share: number, seed: number): WindowOutcome[] {
  const refused = windows.filter((w) => w.refused);
  const k = auditCount(refused.length, share);
  const random = seededRandom(seed);
  const pool = [...refused];
  // A partial Fisher-Yates shuffle: the first k places are the sample.
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as WindowOutcome, pool[i] as WindowOutcome];
  }
  return pool.slice(0, k).sort((a, b) => a.index - b.index);
}
