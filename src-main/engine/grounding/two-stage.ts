/**
 * Two-stage grounding: a cheap candidate model reads the whole recording (few samples, small
 * frames, no dense look); a refining backend (a pool of servers, or a larger local model) is
 * sent only the parts around the candidates the first stage is unsure of (each candidate widened
 * by part of its length, not the minutes-long first-stage window that found it: stage-two.ts
 * refineSpans), plus an audit sample of the windows the first stage refused (how often stage 1
 * misses a moment).
 * Confident first-stage segments are kept as they are.
 */
import { randomInt } from 'node:crypto';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import { iou, type Span } from '../../../src-shared/span.js';
import type { AnswerProfile } from '../models/profiles/types.js';
import { frameSize } from '../saa/tokens.js';
import type { GroundingBackend } from './backend.js';
import { groundRecording, type GroundInput, type GroundOutput } from './pipeline.js';
import { auditSample, refineSpans, splitByConfidence } from './stage-two.js';
import type { FoundSegment, WindowOutcome } from './window-answers.js';

/** Where one stage's questions go and how it asks them. */
export interface StageBackend {
  backend: GroundingBackend;
  profile: AnswerProfile;
  contextTokens: number;
  samples: number;
  maxNewTokens?: number;
}

export type TwoStageInput = Pick<
  GroundInput,
  'source' | 'durationS' | 'query' | 'frames' | 'changePoints' | 'cache' | 'signal' | 'onProgress'
> & {
  candidate: StageBackend;
  refine: StageBackend;
  /** First-stage segments under this confidence go to the second stage; the others are kept. */
  refineBelow: number;
  /** The share of refused first-stage windows the second stage audits (0..1). */
  auditShare: number;
  /** Seed of the audit's draw; absent: a random one (recorded in the output either way). */
  auditSeed?: number;
  /** Pixels of a first-stage frame at most; absent: the plan's smallest frame. */
  candidatePixels?: number;
  /** Resume hooks of the first stage only (pipeline.ts); second-stage windows are asked again. */
  answered?: GroundInput['answered'];
  onWindow?: GroundInput['onWindow'];
};

/** Which stage a segment comes from: kept from the first, refined by the second, or found by the audit. */
export type SegmentStage = 'candidate' | 'refined' | 'audit';
export type StagedSegment = FoundSegment & { stage: SegmentStage };

/** What one stage cost: its model, windows asked, visual tokens sent, time, and segments it gave the result. */
export interface StageRecord {
  model: string;
  device: string;
  windows: number;
  visualTokens: number;
  ms: number;
  /** Of `ms`, frame decoding (what the stage's measured cost keeps apart: jobs/two-stage-cost.ts). */
  decodeMs: number;
  segments: number;
}

/** The record of a two-stage run, kept with the run (its settings' `stages`). */
export interface TwoStageRecord {
  candidate: StageRecord & { samples: number; maxPixels: number; refineBelow: number; unsure: number };
  refine: StageRecord & { spans: Span[] };
  audit: StageRecord & {
    share: number;
    seed: number;
    /** Refused first-stage windows, and the indices of those audited. */
    refused: number;
    audited: number[];
    /** Audited windows where the second stage found a moment; their share of the audited (null: none audited). */
    found: number;
    missedShare: number | null;
  };
}

export interface TwoStageOutput extends Omit<GroundOutput, 'segments'> {
  segments: StagedSegment[];
  stages: TwoStageRecord;
  /** The windows the second stage asked, by part. */
  stageWindows: { refine: WindowOutcome[]; audit: WindowOutcome[] };
}

/** The plan with no frame over `maxPixels` (default: the plan's smallest frame), and the cap taken. */
export function candidateFrames(
  frames: readonly PlannedFrame[],
  maxPixels?: number,
): { frames: PlannedFrame[]; maxPixels: number } {
  const cap = maxPixels ?? Math.min(...frames.map((f) => f.width * f.height));
  const capped = frames.map((f) =>
    f.width * f.height <= cap ? f : { t: f.t, ...pick(frameSize(f.height, f.width, cap)) },
  );
  return { frames: capped, maxPixels: cap };
}

function pick(s: { width: number; height: number; tokens: number }) {
  return { width: s.width, height: s.height, tokens: s.tokens };
}

/** One run of the pipeline for a stage: over `spans` only when given (none: nothing asked). */
async function runStage(
  input: TwoStageInput,
  stage: StageBackend,
  extra: Pick<GroundInput, 'frames' | 'noRefine' | 'spans' | 'answered' | 'onWindow' | 'onProgress'>,
): Promise<GroundOutput | null> {
  if (extra.spans && extra.spans.length === 0) return null;
  return groundRecording({
    source: input.source,
    durationS: input.durationS,
    query: input.query,
    changePoints: input.changePoints,
    cache: input.cache,
    signal: input.signal,
    ...stage,
    ...extra,
  });
}

function record(stage: StageBackend, out: GroundOutput | null, segments: number): StageRecord {
  return {
    model: stage.backend.modelName,
    device: stage.backend.device,
    windows: out ? out.windows.length - out.reused : 0,
    visualTokens: out?.visualTokens ?? 0,
    ms: out?.timings.totalMs ?? 0,
    decodeMs: out?.timings.decodeMs ?? 0,
    segments,
  };
}

/** The segments of all stages ranked by confidence, one of two that overlap by more than half (IoU) dropped. */
export function combineStages(segments: readonly StagedSegment[]): StagedSegment[] {
  const ranked = [...segments].sort((a, b) => b.confidence - a.confidence || a.startS - b.startS);
  const kept: StagedSegment[] = [];
  for (const s of ranked) if (!kept.some((k) => iou(k, s) > 0.5)) kept.push(s);
  return kept;
}

const staged = (out: GroundOutput | null, stage: SegmentStage): StagedSegment[] =>
  (out?.segments ?? []).map((s) => ({ ...s, stage }));

/** Audited windows in which the second stage found a moment (a segment of the audit overlapping it). */
function auditedFound(audited: readonly WindowOutcome[], segments: readonly Span[]): number {
  return audited.filter((w) => segments.some((s) => s.endS > w.startS && s.startS < w.endS)).length;
}

/** Per stage: what it asked and sent, and what it gave the result; the audit's draw and what it found. */
function stageRecords(
  input: TwoStageInput,
  outs: { first: GroundOutput; refined: GroundOutput | null; audit: GroundOutput | null },
  a: {
    unsure: number;
    spans: Span[];
    seed: number;
    audited: WindowOutcome[];
    small: { maxPixels: number };
    segments: readonly StagedSegment[];
  },
): TwoStageRecord {
  const { first, refined, audit } = outs;
  const count = (stage: SegmentStage) => a.segments.filter((s) => s.stage === stage).length;
  const found = auditedFound(a.audited, audit?.segments ?? []);
  return {
    candidate: {
      ...record(input.candidate, first, count('candidate')),
      samples: input.candidate.samples,
      maxPixels: a.small.maxPixels,
      refineBelow: input.refineBelow,
      unsure: a.unsure,
    },
    refine: { ...record(input.refine, refined, count('refined')), spans: a.spans },
    audit: {
      ...record(input.refine, audit, count('audit')),
      share: input.auditShare,
      seed: a.seed,
      refused: first.windows.filter((w) => w.refused).length,
      audited: a.audited.map((w) => w.index),
      found,
      missedShare: a.audited.length > 0 ? found / a.audited.length : null,
    },
  };
}

/**
 * Grounds a recording in two stages (see the file's comment). The result's segments say which
 * stage each came from; `stages` records per stage the windows asked, visual tokens sent and
 * time, and the audit's seed, the windows it drew and the share where stage 2 found a moment.
 */
export async function groundTwoStage(input: TwoStageInput): Promise<TwoStageOutput> {
  const t0 = performance.now();
  const progress = (from: number, to: number) => (f: number) => input.onProgress?.(from + (to - from) * f);
  const small = candidateFrames(input.frames, input.candidatePixels);
  const first = (await runStage(input, input.candidate, {
    frames: small.frames,
    noRefine: true,
    answered: input.answered,
    onWindow: input.onWindow,
    onProgress: progress(0, 0.5),
  })) as GroundOutput;
  const { confident, unsure } = splitByConfidence(first.segments, input.refineBelow);
  const spans = refineSpans(unsure, first.windows, input.durationS);
  const seed = input.auditSeed ?? randomInt(0, 2 ** 31);
  const audited = auditSample(first.windows, input.auditShare, seed);
  const full = { frames: input.frames };
  const refined = await runStage(input, input.refine, { ...full, spans, onProgress: progress(0.5, 0.85) });
  const auditSpans = audited.map((w) => ({ startS: w.startS, endS: w.endS }));
  const audit = await runStage(input, input.refine, { ...full, spans: auditSpans, onProgress: progress(0.85, 1) });
  input.onProgress?.(1);
  const segments = combineStages([
    ...staged({ ...first, segments: confident }, 'candidate'),
    ...staged(refined, 'refined'),
    ...staged(audit, 'audit'),
  ]);
  const stages = stageRecords(
    input,
    { first, refined, audit },
    { unsure: unsure.length, spans, seed, audited, small, segments },
  );
  return {
    ...sums([first, refined, audit], Math.round(performance.now() - t0)),
    segments,
    refused: segments.length === 0,
    windows: first.windows,
    reused: first.reused,
    refinesReused: first.refinesReused,
    stages,
    stageWindows: { refine: refined?.windows ?? [], audit: audit?.windows ?? [] },
  };
}

/** Notes, timings, frames and tokens of the stages together (second-stage notes say which part). */
function sums(outs: readonly (GroundOutput | null)[], totalMs: number) {
  const labels = ['', 'refine: ', 'audit: '];
  const timings = { totalMs, decodeMs: 0, modelMs: 0, refineMs: 0 };
  const frames = { cached: 0, decoded: 0 };
  const notes: string[] = [];
  let visualTokens = 0;
  outs.forEach((o, i) => {
    if (!o) return;
    timings.decodeMs += o.timings.decodeMs;
    timings.modelMs += o.timings.modelMs;
    timings.refineMs += o.timings.refineMs;
    frames.cached += o.frames.cached;
    frames.decoded += o.frames.decoded;
    visualTokens += o.visualTokens;
    notes.push(...o.notes.map((n) => `${labels[i] ?? ''}${n}`));
  });
  return { timings, frames, notes, visualTokens };
}
