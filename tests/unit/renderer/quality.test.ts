import { describe, expect, it } from 'vitest';
import type { QualityPoint, QualityScore } from '../../../src-shared/quality.js';
import {
  auditSentence,
  formatEce,
  formatShare,
  labelIndexes,
  linearScale,
  linePath,
  reliabilityBars,
  reviewLoadSentence,
  seriesValues,
  shortDate,
} from '../../../src-renderer/src/lib/quality.js';

const load = (share: number | null, recall: number | null): QualityScore['reviewLoad'] => ({
  queries: 1,
  recordings: 5,
  footageS: 350,
  watchedS: 51,
  share,
  recall,
  moments: 3,
});

describe('formats', () => {
  it('gives shares with one decimal and ECE with three; null as a dash', () => {
    expect(formatShare(51 / 350)).toBe('14.6%');
    expect(formatShare(1)).toBe('100.0%');
    expect(formatShare(null)).toBe('–');
    expect(formatEce(0.3)).toBe('0.300');
    expect(formatEce(null)).toBe('–');
  });

  it('says the review load as a sentence', () => {
    expect(reviewLoadSentence(load(51 / 350, 2 / 3))).toBe('watch 14.6% of the footage at 66.7% recall');
    expect(reviewLoadSentence(load(0.1, null))).toBe(
      'watch 10.0% of the footage (no reviewed moments to measure recall)',
    );
    expect(reviewLoadSentence(load(null, null))).toBe('no footage scored yet');
  });

  it('says what the two-stage audit found the first stage missed', () => {
    expect(auditSentence({ runs: 2, audited: 8, found: 1, share: 1 / 8 })).toBe(
      'stage 1 missed a moment in 12.5% of audited windows (8 windows, 2 runs)',
    );
    expect(auditSentence({ runs: 1, audited: 1, found: 0, share: 0 })).toBe(
      'stage 1 missed a moment in 0.0% of audited windows (1 window, 1 run)',
    );
    expect(auditSentence({ runs: 1, audited: 0, found: 0, share: null })).toBe('no audited windows yet (1 run)');
  });

  it('writes short UTC dates', () => {
    expect(shortDate('2025-03-03T00:00:00.000Z')).toBe('3 Mar');
    expect(shortDate('not a date')).toBe('not a date');
  });
});

describe('linearScale', () => {
  it('maps the domain onto the range, reversed ranges included', () => {
    const y = linearScale([0, 1], [200, 10]);
    expect(y(0)).toBe(200);
    expect(y(1)).toBe(10);
    expect(y(0.5)).toBe(105);
  });

  it('maps a one-value domain to the middle', () => {
    expect(linearScale([3, 3], [0, 100])(3)).toBe(50);
  });
});

describe('linePath', () => {
  const x = (i: number) => i * 10;
  const y = (v: number) => 100 - v * 100;

  it('draws one line through the values', () => {
    expect(linePath([0, 0.5, 1], x, y)).toBe('M0,100 L10,50 L20,0');
  });

  it('breaks at nulls, and keeps a lone value visible', () => {
    expect(linePath([0.2, null, 0.4, 0.6, null, 0.5], x, y)).toBe('M0,80 h0.1 M20,60 L30,40 M50,50 h0.1');
  });

  it('is empty with nothing to draw', () => {
    expect(linePath([], x, y)).toBe('');
    expect(linePath([null, null], x, y)).toBe('');
  });
});

describe('seriesValues', () => {
  it('takes a metric from each point, review-load recall included', () => {
    const score = (r1At05: number | null, recall: number | null) =>
      ({ r1At05, mIoU: 0.5, ece: 0.1, reviewLoad: load(0.2, recall) }) as unknown as QualityScore;
    const points = [
      { from: 'a', until: 'b', verdicts: 1, pairs: 1, score: score(null, null) },
      { from: 'b', until: 'c', verdicts: 2, pairs: 2, score: score(1, 0.5) },
    ] satisfies QualityPoint[];
    expect(seriesValues(points, 'r1At05')).toEqual([null, 1]);
    expect(seriesValues(points, 'recall')).toEqual([null, 0.5]);
    expect(seriesValues(points, 'ece')).toEqual([0.1, 0.1]);
  });
});

describe('reliabilityBars', () => {
  const plot = { left: 0, top: 0, width: 100, height: 100 };
  const rel = {
    n: 4,
    ece: 0.1,
    bins: [
      { from: 0.2, to: 0.3, n: 3, confidence: 0.25, accuracy: 0.5 },
      { from: 0.9, to: 1, n: 1, confidence: 0.95, accuracy: 1 },
    ],
  };

  it('spans each bin and rises to its accuracy', () => {
    expect(reliabilityBars(rel, plot).map(({ title: _, ...b }) => b)).toEqual([
      { x: 20, y: 50, width: 9, height: 50 },
      { x: 90, y: 0, width: 9, height: 100 },
    ]);
  });

  it('puts a second series in the right half of each bin', () => {
    const bars = reliabilityBars(rel, plot, 1, 2);
    expect(bars.map((b) => [b.x, b.width])).toEqual([
      [25, 4],
      [95, 4],
    ]);
    expect(bars[0]?.title).toBe('0.2–0.3: 3 segments, mean confidence 0.25, right 50.0%');
  });
});

describe('labelIndexes', () => {
  it('spreads at most max labels, first and last included', () => {
    expect(labelIndexes(3, 6)).toEqual([0, 1, 2]);
    expect(labelIndexes(11, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(labelIndexes(0, 6)).toEqual([]);
  });
});
