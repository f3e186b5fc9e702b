import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  bestIoU,
  clipSpan,
  MAP_THRESHOLDS,
  percent,
  recallAt,
  refusalScores,
  temporalIoU,
} from '../../../src-main/engine/learning/metrics.js';
import { scoreItems } from '../../../src-main/engine/learning/evaluate.js';
import { reliability } from '../../../src-main/engine/learning/reliability.js';

const span = (startS: number, endS: number) => ({ startS, endS });
const scored = (startS: number, endS: number, score: number) => ({ startS, endS, score });

describe('temporal IoU', () => {
  it('is intersection over union, 0 for disjoint or zero-length segments', () => {
    expect(temporalIoU(span(0, 10), span(5, 15))).toBeCloseTo(1 / 3, 12);
    expect(temporalIoU(span(0, 10), span(0, 5))).toBe(0.5);
    expect(temporalIoU(span(0, 5), span(6, 9))).toBe(0);
    expect(temporalIoU(span(5, 5), span(5, 5))).toBe(0);
    expect(temporalIoU(span(5, 5), span(0, 10))).toBe(0);
  });

  it('compares with the ground-truth window the prediction overlaps best', () => {
    expect(bestIoU(span(21, 30), [span(0, 10), span(20, 30)])).toBe(0.9);
    expect(bestIoU(span(21, 30), [])).toBe(0);
  });

  it('clips predictions to [0, duration]; one wholly past the end becomes empty at the end', () => {
    expect(clipSpan(span(-5, 5), 10)).toEqual(span(0, 5));
    expect(clipSpan(span(24, 45), 30)).toEqual(span(24, 30));
    expect(clipSpan(scored(110, 130, 0.9), 100)).toEqual(scored(100, 100, 0.9));
  });
});

describe('R1 and refusal', () => {
  it('counts IoU >= threshold, and is undefined with nothing to count', () => {
    expect(recallAt([0.5, 0.6, 1, 0, 0], 0.5)).toBe(0.6);
    expect(recallAt([0.5, 0.6, 1, 0, 0], 0.7)).toBe(0.2);
    expect(recallAt([], 0.5)).toBeNull();
  });

  it('scores a refusal on a query without a moment as a true positive', () => {
    const items = [
      { hasMoment: false, refused: true }, // TP
      { hasMoment: false, refused: false }, // FN
      { hasMoment: true, refused: true }, // FP
      { hasMoment: true, refused: true }, // FP
      { hasMoment: true, refused: false },
    ];
    expect(refusalScores(items)).toEqual({ precision: 1 / 3, recall: 0.5, n: 2 });
    expect(refusalScores([{ hasMoment: true, refused: false }])).toEqual({ precision: null, recall: null, n: 0 });
  });
});

describe('QVHighlights average precision', () => {
  it('matches each prediction once, in score order, at every threshold', () => {
    // Ranked: [0,10] hits the first window (IoU 1), [21,30] the second (IoU 0.9), [0,8] finds
    // the first window taken, [40,50] overlaps nothing. Precision 1,1,2/3,1/2; recall .5,1,1,1.
    const ap = averagePrecision(
      [span(0, 10), span(20, 30)],
      [scored(40, 50, 0.6), scored(0, 8, 0.7), scored(21, 30, 0.8), scored(0, 10, 0.9)],
    );
    // From 0.95 on, [21,30] is a false positive: recall stays at 0.5 with precision 1.
    expect(ap).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0.5]);
  });

  it('interpolates precision: a false positive ranked first halves the AP', () => {
    // tp = [0, 1]: precision 0, 1/2; recall 0, 1 -> AP = 1 x 1/2.
    expect(averagePrecision([span(10, 20)], [scored(30, 40, 0.9), scored(10, 20, 0.5)])).toEqual(
      MAP_THRESHOLDS.map(() => 0.5),
    );
  });

  it('keeps the listed order on tied scores, as the official stable sort does', () => {
    const gt = [span(0, 10)];
    expect(averagePrecision(gt, [scored(50, 60, 0.5), scored(0, 10, 0.5)])[0]).toBe(0.5);
    expect(averagePrecision(gt, [scored(0, 10, 0.5), scored(50, 60, 0.5)])[0]).toBe(1);
  });

  it('is 0 without predictions, and 0 for zero-length predictions', () => {
    expect(averagePrecision([span(0, 10)], [])).toEqual(MAP_THRESHOLDS.map(() => 0));
    expect(averagePrecision([span(5, 5)], [scored(5, 5, 1)])[0]).toBe(0);
  });

  it('gives one prediction to one window only, and recall counts every window', () => {
    // Two equal windows, one prediction: tp at rank 1, recall 1/2 -> AP 0.5.
    expect(averagePrecision([span(0, 10), span(0, 10)], [scored(0, 10, 1)])[0]).toBe(0.5);
    // A threshold between two IoUs: [0,6] has IoU 0.6 with [0,10].
    expect(averagePrecision([span(0, 10)], [scored(0, 6, 1)], [0.55, 0.6, 0.65])).toEqual([1, 1, 0]);
  });
});

/** The engine's one ECE (reliability), of top-1 confidences right or wrong. */
const expectedCalibrationError = (items: readonly { confidence: number; correct: boolean }[]) =>
  reliability(items.map((i) => ({ p: i.confidence, y: i.correct ? 1 : 0 }))).ece;

describe('expected calibration error', () => {
  it('weighs |accuracy - confidence| of each of 10 bins by its share of the items', () => {
    const items = [
      { confidence: 0.8, correct: true }, // bin 8: 0.2
      { confidence: 0.6, correct: true }, // bin 6: 0.4
      { confidence: 0.95, correct: true }, // bin 9: 0.05
      { confidence: 0.5, correct: false }, // bin 5: 0.5
    ];
    expect(expectedCalibrationError(items)).toBeCloseTo((0.2 + 0.4 + 0.05 + 0.5) / 4, 12);
    // Within a bin, accuracy and confidence are averaged before the difference: |1/2 - 0.9|.
    const sameBin = [
      { confidence: 0.9, correct: true },
      { confidence: 0.9, correct: false },
    ];
    expect(expectedCalibrationError(sameBin)).toBeCloseTo(0.4, 12);
    expect(expectedCalibrationError([{ confidence: 1, correct: true }])).toBe(0);
  });

  it('is undefined for no items or for scores that are not probabilities', () => {
    expect(expectedCalibrationError([])).toBeNull();
    // tempo eval gives none where a top-1 score is not in [0, 1].
    const item = { id: 'v#0', video: 'v', query: 'q', durationS: 10, moments: [{ startS: 0, endS: 4 }] };
    const prediction = { id: 'v#0', refused: false, segments: [{ startS: 0, endS: 4, score: 3.2 }], line: 1 };
    expect(scoreItems('charades', [item], new Map([['v#0', prediction]])).ECE).toBeNull();
  });
});

describe('percent', () => {
  it('prints two decimals as the official eval does (exact halves to even)', () => {
    expect(percent(1 / 3)).toBe(33.33);
    expect(percent(2 / 3)).toBe(66.67);
    expect(percent(0.4875)).toBe(48.75);
    expect(percent(0.00125)).toBe(0.12); // f"{0.125:.2f}" == "0.12"; toFixed gives 0.13
    expect(percent(0.00375)).toBe(0.38);
    expect(percent(0)).toBe(0);
    expect(percent(null)).toBeNull();
  });
});
