import type { PlannedFrame } from '../../../src-shared/scans.js';
import type { ActivityTrack } from './change-scorer.js';
import { frameSize, type FrameSize } from './tokens.js';

export interface FramePlanOptions {
  /** Largest area of a frame where things happen (default 448*252). */
  activeMaxPixels?: number;
  /** Largest area of a frame over a static stretch (default 224*126). */
  staticMaxPixels?: number;
  /** Change-point frames sit this far before and after each change point, seconds (default 0.5). */
  sideS?: number;
  /** Static stretches get at least one frame every this many seconds (default 4). */
  floorGapS?: number;
  /** Most frames per second where activity is dense (default 2). */
  maxFps?: number;
  /** Activity (fraction of the frame changed) that counts as dense (default 0.0015). */
  minActivity?: number;
  /** Frames closer than this are one frame, the larger kept, seconds (default 0.25). */
  dedupeS?: number;
}

export interface FramePlanInput {
  durationS: number;
  sourceWidth: number;
  sourceHeight: number;
  track: ActivityTrack;
  changePoints: readonly number[];
  budgetTokens: number;
  options?: FramePlanOptions;
}

export interface FramePlan {
  /** Sorted by t, no two closer than `dedupeS`. */
  frames: PlannedFrame[];
  /** Sum of the frames' tokens; never more than the budget. */
  visualTokens: number;
  /** What uniform 2 fps sampling would cost at the largest resolution this plan uses. */
  uniformTokens: number;
  /** One line for each way the plan falls short of its priorities to fit the budget. */
  warnings: string[];
}

/** Planned frames stay this far before the end of the recording, seconds. */
const LAST_FRAME_MARGIN_S = 0.1;

/** A frame list kept sorted by t in which frames closer than `gap` are merged, the larger kept. */
class FrameSet {
  readonly frames: PlannedFrame[] = [];
  tokens = 0;
  constructor(private readonly gap: number) {}

  /** Token cost of adding a frame of `size` at t (0 when an equal or larger one is near). */
  cost(t: number, size: FrameSize): number {
    const [lo, hi] = this.near(t);
    let replaced = 0;
    for (let i = lo; i < hi; i++) {
      if (this.frames[i]!.tokens >= size.tokens) return 0;
      replaced += this.frames[i]!.tokens;
    }
    return size.tokens - replaced;
  }

  /** Adds a frame unless an equal or larger one is near; smaller near ones are replaced. */
  add(t: number, size: FrameSize): void {
    const [lo, hi] = this.near(t);
    const near = this.frames.slice(lo, hi);
    if (near.some((f) => f.tokens >= size.tokens)) return;
    // Frames before lo are earlier than t - gap and those from hi on later than t + gap.
    this.frames.splice(lo, hi - lo, { t, width: size.width, height: size.height, tokens: size.tokens });
    this.tokens += size.tokens - near.reduce((s, f) => s + f.tokens, 0);
  }

  /** Index range [lo, hi) of the frames within `gap` of t. */
  private near(t: number): [number, number] {
    let lo = 0;
    let hi = this.frames.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.frames[mid]!.t < t - this.gap - 1e-9) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (end < this.frames.length && this.frames[end]!.t <= t + this.gap + 1e-9) end++;
    return [lo, end];
  }
}

/**
 * Plans which frames a model sees and at what size, spending a visual-token budget where
 * the video changes. In order of priority: (a) a frame on each side of every change point
 * (active size); (b) a floor over static stretches, one frame at least every `floorGapS`
 * (static size); (c) with what is left, frames where activity is dense, at most `maxFps`,
 * placed in proportion to activity (active size). The budget is never exceeded: when (a)
 * and (b) alone exceed it, the floor is thinned, then change-point frames are made smaller,
 * then change points lose frames; each such step adds a line to `warnings`.
 */
export function planFrames(input: FramePlanInput): FramePlan {
  const o = input.options ?? {};
  const d = input.durationS;
  const budget = Math.max(0, Math.floor(input.budgetTokens));
  const sideS = o.sideS ?? 0.5;
  const gap = o.dedupeS ?? 0.25;
  const warnings: string[] = [];
  if (!(d > 0)) return { frames: [], visualTokens: 0, uniformTokens: 0, warnings };
  const sizeFor = (maxPixels: number): FrameSize => frameSize(input.sourceHeight, input.sourceWidth, maxPixels);
  const active = sizeFor(o.activeMaxPixels ?? 448 * 252);
  const still = sizeFor(o.staticMaxPixels ?? 224 * 126);
  const tiny = sizeFor(56 * 56);
  // The last instant a decoder can still return a frame for: a frame at exactly t = duration has none.
  const lastT = Math.max(0, d - LAST_FRAME_MARGIN_S);
  const clamp = (t: number): number => Math.min(lastT, Math.max(0, t));
  const cps = [...input.changePoints].filter((c) => c >= 0 && c <= d).sort((a, b) => a - b);
  const sides = cps.flatMap((c) => [clamp(c - sideS), clamp(c + sideS)]);

  // (a) + (b), degraded step by step until they fit.
  const baseGap = o.floorGapS ?? 4;
  const gaps = [baseGap];
  while (gaps.at(-1)! < d) gaps.push(gaps.at(-1)! * 2);
  let set: FrameSet | null = null;
  let gapUsed = baseGap;
  for (const g of gaps) {
    const s = build(sides, active, g, still, gap, d);
    gapUsed = g;
    if (s.tokens <= budget) {
      set = s;
      break;
    }
  }
  if (gapUsed !== baseGap) warnings.push(`static floor thinned to one frame every ${gapUsed} s to fit the budget`);
  for (const size of [still, tiny]) {
    if (set || size.tokens >= active.tokens) continue;
    const s = build(sides, size, gapUsed, size, gap, d);
    if (s.tokens <= budget) {
      set = s;
      warnings.push(`change-point and floor frames lowered to ${size.width}x${size.height} to fit the budget`);
    }
  }
  if (!set) set = fitSides(cps, sideS, clamp, tiny, gap, budget, warnings);

  // (c) dense activity with what is left.
  spendOnActivity(set, input.track, d, active, budget, o.maxFps ?? 2, o.minActivity ?? 0.0015);

  const frames = set.frames;
  const largest = frames.reduce((m, f) => Math.max(m, f.tokens), 0);
  return { frames, visualTokens: set.tokens, uniformTokens: Math.ceil(d * 2) * largest, warnings };
}

/** Change-point frames at `size` plus a floor of `floorSize` frames no more than `floorGap` apart. */
function build(
  sides: number[],
  size: FrameSize,
  floorGap: number,
  floorSize: FrameSize,
  dedupe: number,
  d: number,
): FrameSet {
  const set = new FrameSet(dedupe);
  for (const t of sides) set.add(t, size);
  // Virtual anchors half a gap outside the clip keep the first and last floor frames near its ends.
  const anchors = [-floorGap / 2, ...set.frames.map((f) => f.t), d + floorGap / 2];
  for (let i = 1; i < anchors.length; i++) {
    const p = anchors[i - 1]!;
    const q = anchors[i]!;
    const n = Math.ceil((q - p) / floorGap) - 1;
    for (let k = 1; k <= n; k++)
      set.add(Math.min(Math.max(0, d - LAST_FRAME_MARGIN_S), Math.max(0, p + ((q - p) * k) / (n + 1))), floorSize);
  }
  return set;
}

/** Last resort: one tiny frame after each change point, change points thinned evenly until they fit. */
function fitSides(
  cps: number[],
  sideS: number,
  clamp: (t: number) => number,
  tiny: FrameSize,
  dedupe: number,
  budget: number,
  warnings: string[],
): FrameSet {
  const set = new FrameSet(dedupe);
  const room = Math.floor(budget / tiny.tokens);
  const keep = Math.min(cps.length, room);
  for (let k = 0; k < keep; k++) {
    const c = cps[Math.floor(((k + 0.5) * cps.length) / keep)]!;
    set.add(clamp(c + sideS), tiny);
  }
  if (cps.length === 0 && room > 0) set.add(0, tiny);
  warnings.push(
    `budget of ${budget} tokens too small: ${keep} of ${cps.length} change points get one ` +
      `${tiny.width}x${tiny.height} frame each and the static floor is dropped`,
  );
  return set;
}

/**
 * Spends what the budget has left on active-size frames where activity is dense: candidate
 * slots at `maxFps`, chosen in proportion to their activity (systematic sampling over the
 * cumulative activity, at most one frame per slot) until the budget or the slots run out.
 */
function spendOnActivity(
  set: FrameSet,
  track: ActivityTrack,
  d: number,
  size: FrameSize,
  budget: number,
  maxFps: number,
  minActivity: number,
): void {
  const slotS = 1 / maxFps;
  let slots: { t: number; w: number }[] = [];
  for (let k = 0; (k + 0.5) * slotS <= d - LAST_FRAME_MARGIN_S; k++) {
    const t = (k + 0.5) * slotS;
    const w = meanActivity(track, t - slotS / 2, t + slotS / 2);
    if (w > 0 && w >= minActivity && set.cost(t, size) > 0) slots.push({ t, w });
  }
  while (slots.length > 0) {
    const left = budget - set.tokens;
    const n = Math.floor(left / size.tokens);
    if (n <= 0) break;
    let picked: { t: number; w: number }[];
    if (n >= slots.length) {
      picked = slots;
    } else {
      const total = slots.reduce((s, x) => s + x.w, 0) || 1;
      const step = total / n;
      picked = [];
      let acc = 0;
      let next = step / 2;
      for (const x of slots) {
        acc += x.w;
        if (acc >= next) {
          picked.push(x);
          while (next <= acc) next += step;
        }
      }
    }
    for (const x of picked) {
      const c = set.cost(x.t, size);
      if (c > 0 && set.tokens + c <= budget) set.add(x.t, size);
    }
    const done = new Set(picked);
    slots = slots.filter((x) => !done.has(x));
  }
}

/** Mean activity of the samples whose time lies in [from, to). */
function meanActivity(track: ActivityTrack, from: number, to: number): number {
  const i0 = Math.max(0, Math.ceil(from * track.fps - 1e-9));
  const i1 = Math.min(track.count, Math.ceil(to * track.fps - 1e-9));
  let s = 0;
  for (let i = i0; i < i1; i++) s += track.activity[i]!;
  return i1 > i0 ? s / (i1 - i0) : 0;
}
