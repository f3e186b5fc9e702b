import { describe, expect, it } from 'vitest';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import {
  auditCount,
  auditSample,
  refineSpans,
  seededRandom,
  splitByConfidence,
  unionSpans,
} from '../../../src-main/engine/grounding/stage-two.js';
import { candidateFrames, combineStages, type StagedSegment } from '../../../src-main/engine/grounding/two-stage.js';
import type { FoundSegment, WindowOutcome } from '../../../src-main/engine/grounding/window-answers.js';
import { cutSpans } from '../../../src-main/engine/grounding/windows.js';

/** Windows of 10 s, one every 8 s (2 s overlap), refused where `refused` says. */
function windows(n: number, refused: (i: number) => boolean): WindowOutcome[] {
  return Array.from({ length: n }, (_, i) => ({
    index: i,
    startS: i * 8,
    endS: i * 8 + 10,
    frames: 10,
    visualTokens: 320,
    answers: [],
    refused: refused(i),
  }));
}

const seg = (startS: number, endS: number, confidence: number, window: number): FoundSegment => ({
  startS,
  endS,
  confidence,
  window,
  agreement: confidence,
  pAnswer: confidence,
});

describe('seededRandom', () => {
  it('draws the same numbers from the same seed and others from another, all in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 50 }, () => a());
    expect(Array.from({ length: 50 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('the audit of refused windows', () => {
  it('takes the share of the refused windows, at least one when there are any and the share is above 0', () => {
    expect(auditCount(0, 0.05)).toBe(0);
    expect(auditCount(40, 0)).toBe(0);
    expect(auditCount(3, 0.05)).toBe(1);
    expect(auditCount(40, 0.05)).toBe(2);
    expect(auditCount(40, 0.5)).toBe(20);
    expect(auditCount(40, 1)).toBe(40);
  });

  it('draws only refused windows, each once, in window order, and the same ones again from the same seed', () => {
    const ws = windows(60, (i) => i % 3 !== 0);
    const first = auditSample(ws, 0.25, 7);
    expect(first).toHaveLength(10);
    expect(first.every((w) => w.refused)).toBe(true);
    expect(new Set(first.map((w) => w.index)).size).toBe(10);
    expect(first.map((w) => w.index)).toEqual([...first.map((w) => w.index)].sort((x, y) => x - y));
    expect(auditSample(ws, 0.25, 7)).toEqual(first);
    const seeds = [1, 2, 3, 4, 5].map((s) =>
      auditSample(ws, 0.25, s)
        .map((w) => w.index)
        .join(','),
    );
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it('draws nothing when no window was refused or the share is 0', () => {
    expect(
      auditSample(
        windows(10, () => false),
        0.5,
        1,
      ),
    ).toEqual([]);
    expect(
      auditSample(
        windows(10, () => true),
        0,
        1,
      ),
    ).toEqual([]);
  });
});

describe('what the second stage refines', () => {
  it('splits the first stage at the threshold: at or above kept, under sent on', () => {
    const { confident, unsure } = splitByConfidence([seg(1, 2, 0.9, 0), seg(3, 4, 0.6, 0), seg(5, 6, 0.3, 1)], 0.6);
    expect(confident.map((s) => s.startS)).toEqual([1, 3]);
    expect(unsure.map((s) => s.startS)).toEqual([5]);
  });

  it("sends each unsure segment with 2 s either side, past its window's edge too, joined where they overlap", () => {
    const ws = windows(6, () => false);
    // Window 1 is 8-18 s; a segment running past its end is kept whole and widened 2 s either side.
    expect(refineSpans([seg(15, 19, 0.2, 1)], ws, 60)).toEqual([{ startS: 13, endS: 21 }]);
    // Short segments: 2 s either side (more than a quarter of their length); 10-12 s and 13-15 s joined.
    expect(
      refineSpans([seg(2, 3, 0.2, 0), seg(10, 12, 0.2, 1), seg(13, 15, 0.2, 1), seg(35, 36, 0.1, 4)], ws, 60),
    ).toEqual([
      { startS: 0, endS: 5 },
      { startS: 8, endS: 17 },
      { startS: 33, endS: 38 },
    ]);
    // Clamped to the recording.
    expect(refineSpans([seg(0.5, 41, 0.2, 4)], ws, 42)).toEqual([{ startS: 0, endS: 42 }]);
  });

  it('sends the parts around the unsure segments, not the long first-stage windows that found them', () => {
    const long = (index: number, startS: number, endS: number): WindowOutcome => ({
      ...(windows(1, () => false)[0] as WindowOutcome),
      index,
      startS,
      endS,
    });
    const ws = [long(0, 0, 120), long(1, 110, 230), long(2, 220, 240)];
    // A quarter of a 20 s segment either side; 2 s either side of a 4 s one; the two near 60 s joined.
    expect(refineSpans([seg(40, 60, 0.2, 0), seg(62, 70, 0.3, 0), seg(150, 154, 0.2, 1)], ws, 240)).toEqual([
      { startS: 35, endS: 72 },
      { startS: 148, endS: 156 },
    ]);
    // The quarter stops at the window's start (110 s, not 107 s); 2 s reach past the window's end (230 s).
    expect(refineSpans([seg(112, 132, 0.2, 1), seg(226, 229, 0.2, 1)], ws, 240)).toEqual([
      { startS: 110, endS: 137 },
      { startS: 224, endS: 231 },
    ]);
  });

  it('joins spans that overlap or touch', () => {
    expect(
      unionSpans([
        { startS: 10, endS: 12 },
        { startS: 0, endS: 5 },
        { startS: 5, endS: 7 },
      ]),
    ).toEqual([
      { startS: 0, endS: 7 },
      { startS: 10, endS: 12 },
    ]);
  });
});

describe('cutSpans', () => {
  const frames: PlannedFrame[] = Array.from({ length: 60 }, (_, i) => ({ t: i, width: 224, height: 112, tokens: 32 }));

  it('cuts only the frames inside each span, the windows starting and ending with their span, indices running on', () => {
    const ws = cutSpans(
      frames,
      [
        { startS: 10.5, endS: 30 },
        { startS: 50, endS: 55 },
        { startS: 70, endS: 80 },
      ],
      { maxTokens: 32 * 8, overlapS: 2 },
    );
    expect(ws.map((w) => w.index)).toEqual(ws.map((_, i) => i));
    const inFirst = ws.filter((w) => w.endS <= 30);
    expect(inFirst[0]?.startS).toBe(10.5);
    expect(inFirst.at(-1)?.endS).toBe(30);
    expect(inFirst.flatMap((w) => w.frames).every((f) => f.t >= 11 && f.t < 30)).toBe(true);
    const second = ws.filter((w) => w.startS >= 50);
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ startS: 50, endS: 55, visualTokens: 5 * 32 });
    expect(ws.every((w) => w.visualTokens <= 32 * 8)).toBe(true);
  });
});

describe('the first stage frames', () => {
  const plan: PlannedFrame[] = [
    { t: 0, width: 448, height: 252, tokens: 144 },
    { t: 1, width: 224, height: 112, tokens: 32 },
    { t: 2, width: 672, height: 364, tokens: 312 },
  ];

  it("caps every frame at the plan's smallest, keeping the times", () => {
    const { frames, maxPixels } = candidateFrames(plan);
    expect(maxPixels).toBe(224 * 112);
    expect(frames.map((f) => f.t)).toEqual([0, 1, 2]);
    expect(frames.every((f) => f.width * f.height <= 224 * 112)).toBe(true);
    expect(frames[1]).toEqual(plan[1]);
    expect(frames.every((f) => f.tokens <= 32)).toBe(true);
  });

  it('caps at the pixels given', () => {
    const { frames } = candidateFrames(plan, 448 * 252);
    expect(frames[0]).toEqual(plan[0]);
    expect((frames[2] as PlannedFrame).width * (frames[2] as PlannedFrame).height).toBeLessThanOrEqual(448 * 252);
  });
});

describe('combineStages', () => {
  it('ranks every stage by confidence and drops the lesser of two segments that are mostly the same', () => {
    const s = (startS: number, endS: number, confidence: number, stage: StagedSegment['stage']): StagedSegment => ({
      ...seg(startS, endS, confidence, 0),
      stage,
    });
    const out = combineStages([s(0, 10, 0.8, 'candidate'), s(1, 10, 0.9, 'refined'), s(20, 25, 0.5, 'audit')]);
    expect(out.map((x) => [x.startS, x.stage])).toEqual([
      [1, 'refined'],
      [20, 'audit'],
    ]);
  });
});
