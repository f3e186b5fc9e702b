import type { PlannedFrame } from '../../../src-shared/scans.js';

/** One model call's share of a recording: a run of planned frames and the time they cover. */
export interface GroundingWindow {
  index: number;
  startS: number;
  endS: number;
  frames: PlannedFrame[];
  /** Visual tokens of the frames, after Qwen2-VL's pairing of same-size neighbours if on. */
  visualTokens: number;
}

export interface WindowOptions {
  /** Visual tokens one call may spend (the model's context minus prompt and answer). */
  maxTokens: number;
  /** Seconds each window repeats from the end of the one before, so an event on a cut is seen whole. */
  overlapS?: number;
  /** Pair same-size neighbouring frames the way Qwen2-VL pairs video frames (half the tokens). */
  pairFrames?: boolean;
}

/** What pairing looks at: a frame's time and size. */
export interface FrameAt {
  t: number;
  width: number;
  height: number;
}

/** Frames further apart than this are never fused into one temporal patch. */
const MAX_PAIR_GAP_S = 1;

/** Whether two neighbouring frames may share one temporal patch: same size, close in time. */
function pairable(a: FrameAt, b: FrameAt): boolean {
  return a.width === b.width && a.height === b.height && b.t - a.t <= MAX_PAIR_GAP_S;
}

/**
 * The image parts of a run of frames, in order: with pairing, two pairable neighbours go
 * together (Qwen2-VL's video pairing: one frame's tokens for two frames), otherwise alone.
 */
export function groupFrames<F extends FrameAt>(frames: readonly F[], pairFrames: boolean): F[][] {
  const groups: F[][] = [];
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i] as F;
    const next = frames[i + 1];
    if (pairFrames && next && pairable(f, next)) {
      groups.push([f, next]);
      i++;
    } else groups.push([f]);
  }
  return groups;
}

/** Tokens of a run of frames: with pairing, a pair costs one frame's tokens. */
export function windowTokens(frames: readonly PlannedFrame[], pairFrames: boolean): number {
  return groupFrames(frames, pairFrames).reduce((acc, g) => acc + (g[0] as PlannedFrame).tokens, 0);
}

/**
 * Cuts a recording's frame plan into windows that each fit one context. Windows follow each
 * other in time, each starting `overlapS` before the previous one ended (never on the same
 * frames only), and together they cover every planned frame.
 */
export function cutWindows(frames: readonly PlannedFrame[], durationS: number, opts: WindowOptions): GroundingWindow[] {
  const pair = opts.pairFrames ?? false;
  const overlapS = Math.max(0, opts.overlapS ?? 2);
  const sorted = [...frames].sort((a, b) => a.t - b.t);
  const windows: GroundingWindow[] = [];
  let start = 0;
  while (start < sorted.length) {
    let end = start + 1;
    while (end < sorted.length && windowTokens(sorted.slice(start, end + 1), pair) <= opts.maxTokens) end++;
    const chunk = sorted.slice(start, end);
    const last = end >= sorted.length;
    const first = chunk[0] as PlannedFrame;
    const lastFrame = chunk.at(-1) as PlannedFrame;
    windows.push({
      index: windows.length,
      startS: windows.length === 0 ? 0 : first.t,
      endS: last ? durationS : lastFrame.t,
      frames: chunk,
      visualTokens: windowTokens(chunk, pair),
    });
    if (last) break;
    // Step back over the overlap, but always move forward by at least one frame.
    let next = end;
    while (next - 1 > start + 1 && lastFrame.t - (sorted[next - 1] as PlannedFrame).t < overlapS) next--;
    start = next;
  }
  return windows;
}

/**
 * Windows over parts of a recording only (a second stage asked where the first was unsure):
 * each span's planned frames cut as `cutWindows` cuts a recording, the first window starting
 * at the span's start and the last ending at its end, indices running on across the spans.
 * A span with no planned frame gets none.
 */
export function cutSpans(
  frames: readonly PlannedFrame[],
  spans: readonly { startS: number; endS: number }[],
  opts: WindowOptions,
): GroundingWindow[] {
  const windows: GroundingWindow[] = [];
  for (const span of spans) {
    const inside = frames.filter((f) => f.t >= span.startS && f.t < span.endS);
    if (inside.length === 0) continue;
    const cut = cutWindows(inside, span.endS, opts);
    const first = cut[0] as GroundingWindow;
    cut[0] = { ...first, startS: span.startS };
    for (const w of cut) windows.push({ ...w, index: windows.length });
  }
  return windows;
}
