import { describe, expect, it } from 'vitest';
import { consensusSegment, scoreConfidence } from '../../../src-main/engine/grounding/confidence.js';
import { iou } from '../../../src-shared/span.js';
import { mergeSegments } from '../../../src-main/engine/grounding/merge.js';
import type { ParsedAnswer } from '../../../src-main/engine/models/profiles/types.js';

const seg = (startS: number, endS: number): ParsedAnswer => ({ kind: 'segment', startS, endS });
const refusal: ParsedAnswer = { kind: 'refusal' };

describe('iou', () => {
  it('is intersection over union, symmetric, 1 for equal and 0 for disjoint segments', () => {
    expect(iou({ startS: 0, endS: 10 }, { startS: 5, endS: 15 })).toBeCloseTo(5 / 15);
    expect(iou({ startS: 5, endS: 15 }, { startS: 0, endS: 10 })).toBeCloseTo(5 / 15);
    expect(iou({ startS: 2, endS: 4 }, { startS: 2, endS: 4 })).toBe(1);
    expect(iou({ startS: 0, endS: 1 }, { startS: 2, endS: 3 })).toBe(0);
    expect(iou({ startS: 3, endS: 3 }, { startS: 3, endS: 3 })).toBe(1);
    expect(iou({ startS: 3, endS: 3 }, { startS: 4, endS: 4 })).toBe(0);
  });
});

describe('mergeSegments', () => {
  it('suppresses the weaker of two segments for the same event and ranks by confidence', () => {
    const out = mergeSegments([
      { startS: 10, endS: 20, confidence: 0.6, window: 0 },
      { startS: 11, endS: 20, confidence: 0.8, window: 1 },
      { startS: 50, endS: 55, confidence: 0.9, window: 3 },
    ]);
    expect(out).toEqual([
      { startS: 50, endS: 55, confidence: 0.9, window: 3 },
      { startS: 11, endS: 20, confidence: 0.8, window: 1 },
    ]);
  });

  it('joins the parts of an event seen across a window cut', () => {
    const out = mergeSegments([
      { startS: 10, endS: 20, confidence: 0.7, window: 0 },
      { startS: 18, endS: 30, confidence: 0.6, window: 1 },
    ]);
    expect(out).toEqual([{ startS: 10, endS: 30, confidence: 0.7, window: 0 }]);
  });

  it('keeps overlapping segments of windows that are not neighbours, and drops empty ones', () => {
    const out = mergeSegments([
      { startS: 10, endS: 20, confidence: 0.7, window: 0 },
      { startS: 18, endS: 30, confidence: 0.6, window: 2 },
      { startS: 40, endS: 40, confidence: 0.99, window: 4 },
    ]);
    expect(out.map((s) => [s.startS, s.endS])).toEqual([
      [10, 20],
      [18, 30],
    ]);
  });

  it('joins a chain of pieces over consecutive windows into one, whatever their confidence order', () => {
    // The moving box of the bench's ten-minute clip, seen by windows 4, 5 and 6.
    const pieces = [
      { startS: 280.9, endS: 285.3, window: 4 },
      { startS: 283.8, endS: 292.3, window: 5 },
      { startS: 286.8, endS: 296.0, window: 6 },
    ];
    for (const order of [
      [0.9, 0.8, 0.7],
      [0.7, 0.8, 0.9],
      [0.9, 0.7, 0.8],
    ]) {
      const out = mergeSegments(pieces.map((p, i) => ({ ...p, confidence: order[i] as number })));
      const strongest = order.indexOf(Math.max(...order));
      expect(out).toEqual([{ startS: 280.9, endS: 296.0, confidence: Math.max(...order), window: strongest + 4 }]);
    }
  });

  it('keeps the chain going through a piece suppressed as the same event', () => {
    // The refining detector on the moving box: window 4 finds nearly what window 3 found.
    const out = mergeSegments(
      [
        { startS: 281.4, endS: 283.3, window: 3 },
        { startS: 281.4, endS: 284.3, window: 4 },
        { startS: 282.8, endS: 285.8, window: 5 },
        { startS: 284.3, endS: 287.3, window: 6 },
      ].map((p) => ({ ...p, confidence: 0.96 })),
    );
    expect(out).toEqual([{ startS: 281.4, endS: 287.3, confidence: 0.96, window: 3 }]);
  });

  it('keeps apart two events of one window, and a chain from a piece that only touches it', () => {
    const out = mergeSegments([
      { startS: 10, endS: 20, confidence: 0.9, window: 4 },
      { startS: 18, endS: 30, confidence: 0.8, window: 4 },
      { startS: 29, endS: 40, confidence: 0.7, window: 5 },
      { startS: 40, endS: 50, confidence: 0.6, window: 6 },
    ]);
    expect(out.map((s) => [s.startS, s.endS, s.window])).toEqual([
      [10, 20, 4],
      [18, 40, 4],
      [40, 50, 6],
    ]);
  });

  it('does not change its input', () => {
    const input = [
      { startS: 10, endS: 20, confidence: 0.7, window: 0 },
      { startS: 18, endS: 30, confidence: 0.6, window: 1 },
    ];
    const copy = structuredClone(input);
    mergeSegments(input);
    expect(input).toEqual(copy);
  });
});

describe('confidence', () => {
  it('takes the medoid of the samples as consensus and their mean IoU with it as agreement', () => {
    const { segment, agreement } = consensusSegment([seg(10, 20), seg(11, 20), seg(10, 21), seg(40, 41)]);
    expect(segment).toEqual({ startS: 10, endS: 20 });
    expect(agreement).toBeCloseTo((1 + 0.9 + 10 / 11 + 0) / 4);
  });

  it('refuses when most samples refuse or do not parse', () => {
    expect(consensusSegment([refusal, refusal, seg(1, 2)])).toEqual({ segment: null, agreement: 0 });
    expect(scoreConfidence({ samples: [refusal, { kind: 'unparsed', reason: 'x' }] })).toMatchObject({
      segment: null,
      confidence: 0,
      refusals: 2,
    });
  });

  it('is sqrt(agreement * pAnswer), pAnswer from answer against refusal log-probs', () => {
    const samples = [seg(10, 20), seg(10, 20), seg(10, 20)];
    const sure = scoreConfidence({ samples, answerLogProb: -0.1, refusalLogProb: -5 });
    expect(sure.agreement).toBe(1);
    expect(sure.pAnswer).toBeCloseTo(1 / (1 + Math.exp(-4.9)));
    expect(sure.confidence).toBeCloseTo(Math.sqrt(sure.pAnswer));
    const unsure = scoreConfidence({ samples, answerLogProb: -5, refusalLogProb: -0.1 });
    expect(unsure.confidence).toBeLessThan(0.1);
    const noProbs = scoreConfidence({ samples: [seg(10, 20), seg(15, 25)] });
    expect(noProbs.pAnswer).toBe(0.5);
    expect(noProbs.confidence).toBeCloseTo(Math.sqrt(((1 + 5 / 15) / 2) * 0.5));
  });

  it('stays within [0, 1]', () => {
    for (const lp of [-100, -1, 0]) {
      const c = scoreConfidence({ samples: [seg(0, 1)], answerLogProb: lp, refusalLogProb: -lp - 50 }).confidence;
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(1);
    }
  });
});
