import type { PlannedFrame } from '../../../src-shared/scans.js';
import { iou, type Span } from '../../../src-shared/span.js';
import type { DiskCache } from '../cache/disk-cache.js';
import { cachedFrames, type FrameSource } from '../cache/frames.js';
import type { AnswerProfile } from '../models/profiles/types.js';
import { readAnswer, shiftSpan } from './answers.js';
import type { Asked, GroundingBackend } from './backend.js';
import { callSignals, mapConcurrent } from './concurrent.js';
import { scoreConfidence } from './confidence.js';
import { storedOrAsked, type DenseLook } from './dense-looks.js';
import { mergeSegments } from './merge.js';
import { refinementFrames, snapToChangePoints } from './refine.js';
import { answeredBefore, type FoundSegment, type WindowAnswer, type WindowOutcome } from './window-answers.js';
import { cutSpans, cutWindows, groupFrames, windowTokens, type GroundingWindow } from './windows.js';

export type { FoundSegment, WindowAnswer, WindowOutcome } from './window-answers.js';
export type { DenseLook } from './dense-looks.js';

export interface GroundInput {
  /** The recording: its file, content key and frame rate. */
  source: FrameSource;
  durationS: number;
  query: string;
  /** The recording's SAA frame plan and change points. */
  frames: readonly PlannedFrame[];
  changePoints: readonly number[];
  backend: GroundingBackend;
  /** Keeps decoded frames between queries; none decodes every time. */
  cache?: DiskCache;
  profile: AnswerProfile;
  contextTokens: number;
  samples: number;
  /** Tokens per answer; default: the answer profile's. */
  maxNewTokens?: number;
  /** Skip the dense second look at each boundary. */
  noRefine?: boolean;
  /** Ask only these parts of the recording (windows cut from their frames: windows.ts cutSpans); absent: all of it. */
  spans?: readonly Span[];
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /**
   * Windows answered before, by window index (as `onWindow` heard them): taken as they are, not
   * asked again, where the window is the very same (window-answers.ts answeredBefore).
   */
  answered?: ReadonlyMap<number, WindowAnswer>;
  /** Hears each window as the model answers it (not those taken from `answered`), so it can be stored at once. */
  onWindow?: (answer: WindowAnswer) => void;
  /** Dense looks taken before, by merged segment index: taken where asked for the very same segment (dense-looks.ts). */
  refined?: ReadonlyMap<number, DenseLook>;
  /** Hears each dense look as the model answers it (not those taken from `refined`), so it can be stored at once. */
  onRefined?: (look: DenseLook) => void;
}

export interface GroundOutput {
  segments: FoundSegment[];
  refused: boolean;
  windows: WindowOutcome[];
  /** How many of the windows were taken from `answered` instead of asked. */
  reused: number;
  /** How many dense looks were taken from `refined` instead of asked. */
  refinesReused: number;
  /** Answers taken as refusals, and why (unparsed, outside the window). */
  notes: string[];
  timings: { totalMs: number; decodeMs: number; modelMs: number; refineMs: number };
  /** Frames read from the cache and frames decoded. */
  frames: { cached: number; decoded: number };
  /** Visual tokens sent to the backend: the windows and dense looks asked (not those reused). */
  visualTokens: number;
}

function ms(start: number): number {
  return Math.round(performance.now() - start);
}

/** What one run over a recording carries from step to step: its input and what it has counted so far. */
interface Run {
  input: GroundInput;
  maxNewTokens: number;
  pair: boolean;
  /** Questions asked at once: the backend's concurrency (one at a time when it has none). */
  limit: number;
  /** Each look's own signal, aborted by the run's one listener on the caller's signal. */
  signals: ReturnType<typeof callSignals>;
  /** Visual tokens of a frame size, where the backend knows its processor. */
  cost: ((width: number, height: number) => number) | undefined;
  /** Summed over the looks, which may overlap when the backend takes several questions at once. */
  timings: GroundOutput['timings'];
  frames: GroundOutput['frames'];
  notes: string[];
  visualTokens: number;
}

/** Asks the model about frames over `span` (decoded or from the cache), timing both; `origin` is the model's time zero. */
async function look(
  run: Run,
  frames: readonly PlannedFrame[],
  span: Span,
  samples: number,
): Promise<Asked & { origin: number }> {
  const { input } = run;
  const own = run.signals.open();
  try {
    let t = performance.now();
    const got = await cachedFrames(input.cache, input.source, frames, own.signal);
    run.frames.cached += got.hits;
    run.frames.decoded += got.misses;
    run.timings.decodeMs += ms(t);
    t = performance.now();
    const groups = groupFrames(got.frames, run.pair);
    run.visualTokens += windowTokens(frames, run.pair);
    // The instruction and the answers speak the model's time: recording time less its origin.
    const origin = input.backend.timeOrigin?.(groups) ?? 0;
    const instruction = input.profile.instruction(input.query, shiftSpan(span, -origin));
    const opts = { samples, maxNewTokens: run.maxNewTokens, signal: own.signal };
    const asked = await input.backend.ask(groups, instruction, opts);
    run.timings.modelMs += ms(t);
    return { ...asked, origin };
  } finally {
    own.close();
  }
}

/** One window: K answers, their consensus and its confidence (weighed against refusal where the backend can). */
async function groundWindow(run: Run, w: GroundingWindow): Promise<WindowAnswer> {
  const { profile } = run.input;
  const asked = await look(run, w.frames, w, run.input.samples);
  const read = asked.texts.map((text) => readAnswer(profile, text, w, asked.origin));
  const notes = read.flatMap((r) => (r.note ? [`window ${w.index}: ${r.note}`] : []));
  const samples = read.map((r) => r.parsed);
  let c = scoreConfidence({ samples });
  if (c.segment && asked.compare) {
    // How much more the model likes the consensus answer than refusing, on the same prompt.
    const answer = profile.answerText(shiftSpan(c.segment, -asked.origin));
    const pref = await asked.compare(answer, profile.refusalText);
    if (pref) c = scoreConfidence({ samples, ...pref });
  }
  await asked.done?.();
  const outcome = describe(w, asked.texts, c.segment === null, asked.server);
  if (!c.segment) return { outcome, found: null, notes };
  const found = { ...c.segment, confidence: c.confidence, agreement: c.agreement, pAnswer: c.pAnswer, window: w.index };
  return { outcome, found, notes };
}

/**
 * Every window, up to the backend's concurrency at a time; outcomes, segments and notes in
 * window order whatever order they finish in (a window's notes join the run's in that order).
 * A window answered before is taken as it is; each one asked is handed to `onWindow` as it is
 * answered. Progress counts the windows finished.
 */
async function groundWindows(
  run: Run,
  windows: readonly GroundingWindow[],
): Promise<{ outcomes: WindowOutcome[]; found: FoundSegment[]; reused: number }> {
  let finished = 0;
  let reused = 0;
  const results = await mapConcurrent(windows, run.limit, async (w) => {
    const known = answeredBefore(run.input.answered, w);
    const r = known ?? (await groundWindow(run, w));
    if (known) reused++;
    else run.input.onWindow?.(r);
    finished++;
    run.input.onProgress?.(finished / (windows.length + 1));
    return r;
  });
  for (const r of results) run.notes.push(...r.notes);
  return {
    outcomes: results.map((r) => r.outcome),
    found: results.flatMap((r) => (r.found ? [r.found] : [])),
    reused,
  };
}

/** A dense second look at one merged segment, taken where it overlaps, then snapped to the change points; its note, if any. */
async function refineSegment(
  run: Run,
  seg: FoundSegment,
  size: ReturnType<typeof largestSize>,
): Promise<string | null> {
  const { input } = run;
  const dense = refinementFrames(seg, input.durationS, size, {
    maxTokens: input.contextTokens,
    pairFrames: run.pair,
    visualTokens: run.cost,
  });
  const asked = await look(run, dense, { startS: dense[0]?.t ?? seg.startS, endS: dense.at(-1)?.t ?? seg.endS }, 1);
  const whole = { startS: 0, endS: input.durationS };
  const second = readAnswer(input.profile, asked.texts[0] ?? '', whole, asked.origin);
  await asked.done?.();
  let note: string | null = null;
  if (second.parsed.kind === 'segment' && iou(second.parsed, seg) > 0) {
    seg.startS = second.parsed.startS;
    seg.endS = second.parsed.endS;
  } else if (second.note) note = `refinement of ${seg.startS.toFixed(1)}-${seg.endS.toFixed(1)} s: ${second.note}`;
  Object.assign(seg, snapToChangePoints(seg, input.changePoints));
  return note;
}

/**
 * The dense second look at every merged segment, up to the backend's concurrency at a time;
 * notes in segment order. A look stored before for the very same segment is taken as it is;
 * each one asked is handed to `onRefined`. Returns how many were taken.
 */
async function refineSegments(run: Run, merged: FoundSegment[], planned: readonly PlannedFrame[]): Promise<number> {
  const t = performance.now();
  const size = largestSize(planned);
  let reused = 0;
  const notes = await mapConcurrent(merged, run.limit, async (seg, index) => {
    const got = await storedOrAsked(run.input, index, seg, () => refineSegment(run, seg, size));
    if (got.reused) reused++;
    return got.note;
  });
  for (const note of notes) if (note) run.notes.push(note);
  // Looks taken from storage cost no time to speak of: only the looks asked are timed.
  run.timings.refineMs = reused === merged.length ? 0 : ms(t);
  return reused;
}

/**
 * The Tempo-R0 pipeline over one recording: windows from the SAA plan, frames with their
 * times as text (ETA), K answers per window with refusal allowed, confidence from agreement
 * and answer-vs-refusal likelihood, a dense second look at each boundary, snapping to SAA
 * change points, and a merge across windows.
 */
export async function groundRecording(input: GroundInput): Promise<GroundOutput> {
  const t0 = performance.now();
  const run: Run = {
    input,
    maxNewTokens: input.maxNewTokens ?? input.profile.maxNewTokens,
    pair: input.backend.pairsFrames,
    limit: input.backend.concurrency ?? 1,
    signals: callSignals(input.signal),
    cost: input.backend.visualTokens?.bind(input.backend),
    timings: { totalMs: 0, decodeMs: 0, modelMs: 0, refineMs: 0 },
    frames: { cached: 0, decoded: 0 },
    notes: [],
    visualTokens: 0,
  };
  try {
    return await groundRun(run, t0);
  } finally {
    run.signals.stop();
  }
}

/** The steps of groundRecording over a run made ready. */
async function groundRun(run: Run, t0: number): Promise<GroundOutput> {
  const { input } = run;
  // The plan counts Qwen2-VL's default tokens; a backend that knows its processor says what each size really costs.
  const cost = run.cost;
  const planned = cost ? input.frames.map((f) => ({ ...f, tokens: cost(f.width, f.height) })) : input.frames;
  const cut = { maxTokens: input.contextTokens, overlapS: 2, pairFrames: run.pair };
  const windows = input.spans ? cutSpans(planned, input.spans, cut) : cutWindows(planned, input.durationS, cut);
  const { outcomes, found, reused } = await groundWindows(run, windows);
  const merged = mergeSegments(found);
  const refinesReused = input.noRefine ? 0 : await refineSegments(run, merged, planned);
  input.onProgress?.(1);
  run.timings.totalMs = ms(t0);
  const segments = mergeSegments(merged);
  return {
    segments,
    refused: segments.length === 0,
    windows: outcomes,
    reused,
    refinesReused,
    notes: run.notes,
    timings: run.timings,
    frames: run.frames,
    visualTokens: run.visualTokens,
  };
}

function describe(w: GroundingWindow, answers: string[], refused: boolean, server: string | undefined): WindowOutcome {
  return {
    index: w.index,
    startS: w.startS,
    endS: w.endS,
    frames: w.frames.length,
    visualTokens: w.visualTokens,
    answers,
    refused,
    ...(server === undefined ? {} : { server }),
  };
}

function largestSize(frames: readonly PlannedFrame[]): { width: number; height: number; tokens: number } {
  const f = frames.reduce((a, b) => (b.tokens > a.tokens ? b : a), frames[0] as PlannedFrame);
  return { width: f.width, height: f.height, tokens: f.tokens };
}
