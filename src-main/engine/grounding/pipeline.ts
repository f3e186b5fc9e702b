import type { PlannedFrame } from '../../../src-shared/scans.js';
import { iou, type Span } from '../../../src-shared/span.js';
import type { DiskCache } from '../cache/disk-cache.js';
import { cachedFrames, type FrameSource } from '../cache/frames.js';
import type { AnswerProfile } from '../models/profiles/types.js';
import { readAnswer, shiftSpan } from './answers.js';
import type { Asked, GroundingBackend } from './backend.js';
import { scoreConfidence } from './confidence.js';
import { mergeSegments, type ScoredSegment } from './merge.js';
import { refinementFrames, snapToChangePoints } from './refine.js';
import { cutWindows, groupFrames, type GroundingWindow } from './windows.js';

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
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface WindowOutcome {
  index: number;
  startS: number;
  endS: number;
  frames: number;
  visualTokens: number;
  answers: string[];
  refused: boolean;
}

/** A segment the pipeline found, with the parts of its confidence. */
type FoundSegment = ScoredSegment & { agreement: number; pAnswer: number };

export interface GroundOutput {
  segments: FoundSegment[];
  refused: boolean;
  windows: WindowOutcome[];
  /** Answers taken as refusals, and why (unparsed, outside the window). */
  notes: string[];
  timings: { totalMs: number; decodeMs: number; modelMs: number; refineMs: number };
  /** Frames read from the cache and frames decoded. */
  frames: { cached: number; decoded: number };
}

function ms(start: number): number {
  return Math.round(performance.now() - start);
}

/** What one run over a recording carries from step to step: its input and what it has counted so far. */
interface Run {
  input: GroundInput;
  maxNewTokens: number;
  pair: boolean;
  /** Visual tokens of a frame size, where the backend knows its processor. */
  cost: ((width: number, height: number) => number) | undefined;
  timings: GroundOutput['timings'];
  frames: GroundOutput['frames'];
  notes: string[];
}

/** Asks the model about frames over `span` (decoded or from the cache), timing both; `origin` is the model's time zero. */
async function look(
  run: Run,
  frames: readonly PlannedFrame[],
  span: Span,
  samples: number,
): Promise<Asked & { origin: number }> {
  const { input } = run;
  let t = performance.now();
  const got = await cachedFrames(input.cache, input.source, frames, input.signal);
  run.frames.cached += got.hits;
  run.frames.decoded += got.misses;
  run.timings.decodeMs += ms(t);
  t = performance.now();
  const groups = groupFrames(got.frames, run.pair);
  // The instruction and the answers speak the model's time: recording time less its origin.
  const origin = input.backend.timeOrigin?.(groups) ?? 0;
  const asked = await input.backend.ask(groups, input.profile.instruction(input.query, shiftSpan(span, -origin)), {
    samples,
    maxNewTokens: run.maxNewTokens,
    signal: input.signal,
  });
  run.timings.modelMs += ms(t);
  return { ...asked, origin };
}

/** One window: K answers, their consensus and its confidence (weighed against refusal where the backend can). */
async function groundWindow(
  run: Run,
  w: GroundingWindow,
): Promise<{ outcome: WindowOutcome; found: FoundSegment | null }> {
  const { profile } = run.input;
  const asked = await look(run, w.frames, w, run.input.samples);
  const read = asked.texts.map((text) => readAnswer(profile, text, w, asked.origin));
  for (const r of read) if (r.note) run.notes.push(`window ${w.index}: ${r.note}`);
  const samples = read.map((r) => r.parsed);
  let c = scoreConfidence({ samples });
  if (c.segment && asked.compare) {
    // How much more the model likes the consensus answer than refusing, on the same prompt.
    const answer = profile.answerText(shiftSpan(c.segment, -asked.origin));
    const pref = await asked.compare(answer, profile.refusalText);
    if (pref) c = scoreConfidence({ samples, ...pref });
  }
  await asked.done?.();
  const outcome = describe(w, asked.texts, c.segment === null);
  if (!c.segment) return { outcome, found: null };
  const found = { ...c.segment, confidence: c.confidence, agreement: c.agreement, pAnswer: c.pAnswer, window: w.index };
  return { outcome, found };
}

/** A dense second look at each merged segment, taken where it overlaps, then snapped to the change points. */
async function refineSegments(run: Run, merged: FoundSegment[], planned: readonly PlannedFrame[]): Promise<void> {
  const { input } = run;
  const t = performance.now();
  const size = largestSize(planned);
  for (const seg of merged) {
    const dense = refinementFrames(seg, input.durationS, size, {
      maxTokens: input.contextTokens,
      pairFrames: run.pair,
      visualTokens: run.cost,
    });
    const asked = await look(run, dense, { startS: dense[0]?.t ?? seg.startS, endS: dense.at(-1)?.t ?? seg.endS }, 1);
    const whole = { startS: 0, endS: input.durationS };
    const second = readAnswer(input.profile, asked.texts[0] ?? '', whole, asked.origin);
    await asked.done?.();
    if (second.parsed.kind === 'segment' && iou(second.parsed, seg) > 0) {
      seg.startS = second.parsed.startS;
      seg.endS = second.parsed.endS;
    } else if (second.note)
      run.notes.push(`refinement of ${seg.startS.toFixed(1)}-${seg.endS.toFixed(1)} s: ${second.note}`);
    Object.assign(seg, snapToChangePoints(seg, input.changePoints));
  }
  run.timings.refineMs = ms(t);
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
    cost: input.backend.visualTokens?.bind(input.backend),
    timings: { totalMs: 0, decodeMs: 0, modelMs: 0, refineMs: 0 },
    frames: { cached: 0, decoded: 0 },
    notes: [],
  };
  // The plan counts Qwen2-VL's default tokens; a backend that knows its processor says what each size really costs.
  const cost = run.cost;
  const planned = cost ? input.frames.map((f) => ({ ...f, tokens: cost(f.width, f.height) })) : input.frames;
  const windows = cutWindows(planned, input.durationS, {
    maxTokens: input.contextTokens,
    overlapS: 2,
    pairFrames: run.pair,
  });
  const found: FoundSegment[] = [];
  const outcomes: WindowOutcome[] = [];
  for (const w of windows) {
    const r = await groundWindow(run, w);
    outcomes.push(r.outcome);
    if (r.found) found.push(r.found);
    input.onProgress?.(outcomes.length / (windows.length + 1));
  }
  const merged = mergeSegments(found);
  if (!input.noRefine) await refineSegments(run, merged, planned);
  input.onProgress?.(1);
  run.timings.totalMs = ms(t0);
  const segments = mergeSegments(merged);
  return {
    segments,
    refused: segments.length === 0,
    windows: outcomes,
    notes: run.notes,
    timings: run.timings,
    frames: run.frames,
  };
}

function describe(w: GroundingWindow, answers: string[], refused: boolean): WindowOutcome {
  return {
    index: w.index,
    startS: w.startS,
    endS: w.endS,
    frames: w.frames.length,
    visualTokens: w.visualTokens,
    answers,
    refused,
  };
}

function largestSize(frames: readonly PlannedFrame[]): { width: number; height: number; tokens: number } {
  const f = frames.reduce((a, b) => (b.tokens > a.tokens ? b : a), frames[0] as PlannedFrame);
  return { width: f.width, height: f.height, tokens: f.tokens };
}
