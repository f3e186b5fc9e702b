// Compute seconds a minute of footage costs under a frame plan, extrapolated from the costs one
// worker measured (vision ms per frame size, prefill ms per token, decode ms per step): windows
// cut as the pipeline cuts them, K answers each, a dense look at each event found.
import type { PlannedFrame } from '../../../src-shared/scans.js';
import { refinementFrames } from '../../../src-main/engine/grounding/refine.js';
import { cutWindows, groupFrames } from '../../../src-main/engine/grounding/windows.js';
import { visionFlops, type ModelDims } from './flops.js';
import type { WorkerFigures } from './worker.js';

export interface PlanCostInput {
  frames: readonly PlannedFrame[];
  durationS: number;
  /** Events hidden in the clip: each found one gets a dense second look. */
  events: { startS: number; endS: number }[];
  contextTokens: number;
  samples: number;
  /** Tokens of one answer (a trained Qwen2-VL's "The event happens in 41.3 - 55.8 seconds." is about 21). */
  answerTokens: number;
  /** The measured size that stands for a frame of this size (default: its own). */
  seenAs?: (width: number, height: number) => { width: number; height: number };
}

export interface PlanCost {
  windows: number;
  visualTokens: number;
  imageParts: number;
  seconds: { vision: number; prefill: number; decode: number; refine: number; total: number };
  perMinute: number;
}

/** Text tokens of a window besides its images: a time label per part, system text, instruction. */
const LABEL_TOKENS = 8;
const PROMPT_TOKENS = 60;

/** Vision ms of one image part of this size: measured, else scaled by FLOPs from the largest measured size. */
function visionMs(fig: WorkerFigures, dims: ModelDims, width: number, height: number): number {
  const hit = fig.vision.find((v) => v.width === width && v.height === height);
  if (hit) return hit.msPerFrame;
  const ref = fig.vision.reduce((a, v) => (v.patches > a.patches ? v : a));
  const patches = ref.patches * ((width * height) / (ref.width * ref.height));
  return (ref.msPerFrame * visionFlops(dims, patches)) / visionFlops(dims, ref.patches);
}

function tokensOf(fig: WorkerFigures, width: number, height: number): number {
  const hit = fig.vision.find((v) => v.width === width && v.height === height);
  return hit ? hit.visualTokens : Math.round((width * height) / (28 * 28));
}

/** Cost of one look: its image parts encoded, its prompt read, `steps` decode steps of `batch` rows. */
function lookCost(fig: WorkerFigures, dims: ModelDims, frames: readonly PlannedFrame[], batch: number, steps: number) {
  const parts = groupFrames(frames, true);
  const vision = parts.reduce(
    (a, g) => a + visionMs(fig, dims, (g[0] as PlannedFrame).width, (g[0] as PlannedFrame).height),
    0,
  );
  const tokens = parts.reduce((a, g) => a + (g[0] as PlannedFrame).tokens + LABEL_TOKENS, PROMPT_TOKENS);
  const prefill = (tokens * fig.prefill.ms) / fig.prefill.tokens;
  const stepMs =
    batch > 1 ? fig.decodeN.ms / (fig.decodeN.tokens / fig.decodeN.batch) : fig.decode1.ms / fig.decode1.tokens;
  return { vision, prefill, decode: steps * stepMs, parts: parts.length };
}

export function planCost(input: PlanCostInput, fig: WorkerFigures, dims: ModelDims): PlanCost {
  const seen = input.seenAs ?? ((width: number, height: number) => ({ width, height }));
  const frames = input.frames.map((f) => {
    const s = seen(f.width, f.height);
    return { ...f, ...s, tokens: tokensOf(fig, s.width, s.height) };
  });
  const windows = cutWindows(frames, input.durationS, {
    maxTokens: input.contextTokens,
    overlapS: 2,
    pairFrames: true,
  });
  const s = { vision: 0, prefill: 0, decode: 0, refine: 0, total: 0 };
  let parts = 0;
  for (const w of windows) {
    const c = lookCost(fig, dims, w.frames, input.samples, input.answerTokens);
    // Answer against refusal: two short teacher-forced reads of about an answer's length.
    const compare = (2 * input.answerTokens * fig.prefill.ms) / fig.prefill.tokens;
    s.vision += c.vision;
    s.prefill += c.prefill + compare;
    s.decode += c.decode;
    parts += c.parts;
  }
  const largest = frames.reduce((a, f) => (f.width * f.height > a.width * a.height ? f : a), frames[0] as PlannedFrame);
  for (const e of input.events) {
    const dense = refinementFrames(e, input.durationS, largest, {
      maxTokens: input.contextTokens,
      pairFrames: true,
      visualTokens: (w, h) => tokensOf(fig, w, h),
    });
    const c = lookCost(fig, dims, dense, 1, input.answerTokens);
    s.refine += c.vision + c.prefill + c.decode;
  }
  for (const k of ['vision', 'prefill', 'decode', 'refine'] as const) s[k] /= 1000;
  s.total = s.vision + s.prefill + s.decode + s.refine;
  return {
    windows: windows.length,
    visualTokens: windows.reduce((a, w) => a + w.visualTokens, 0),
    imageParts: parts,
    seconds: s,
    perMinute: s.total / (input.durationS / 60),
  };
}
