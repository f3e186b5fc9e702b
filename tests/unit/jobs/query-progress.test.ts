/** One progress over every recording of a query job, each counting by its planned visual tokens, and its inverse. */
import { describe, expect, it } from 'vitest';
import { queryProgress, recordingProgress } from '../../../src-main/engine/jobs/query-progress.js';

describe('queryProgress', () => {
  const weights = [100, 300, 600];

  it('counts each recording by its weight: what the ones before it weigh, plus its share done', () => {
    expect(queryProgress(weights, 0, 0)).toBe(0);
    expect(queryProgress(weights, 0, 1)).toBeCloseTo(0.1);
    expect(queryProgress(weights, 1, 0)).toBeCloseTo(0.1);
    expect(queryProgress(weights, 1, 0.5)).toBeCloseTo(0.25);
    expect(queryProgress(weights, 2, 0.5)).toBeCloseTo(0.7);
    expect(queryProgress(weights, 2, 1)).toBe(1);
  });

  it('never goes backwards over the whole query, and ends at 1', () => {
    const seen: number[] = [];
    for (let i = 0; i < weights.length; i++)
      for (let f = 0; f <= 1; f += 0.125) seen.push(queryProgress(weights, i, f));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(1);
  });

  it('stays in [0,1] for fractions outside it, indices outside the list and no weight at all', () => {
    expect(queryProgress(weights, 1, 7)).toBeCloseTo(0.4);
    expect(queryProgress(weights, 1, -1)).toBeCloseTo(0.1);
    expect(queryProgress(weights, 1, Number.NaN)).toBeCloseTo(0.1);
    expect(queryProgress(weights, 5, 0.5)).toBe(0);
    expect(queryProgress([], 0, 0.5)).toBe(0);
  });
});

describe('recordingProgress', () => {
  it("reads a recording's share back from the query's progress", () => {
    const weights = [100, 300, 600];
    for (const [i, f] of [
      [0, 0.3],
      [1, 0.5],
      [2, 0.9],
    ] as const)
      expect(recordingProgress(weights, i, queryProgress(weights, i, f))).toBeCloseTo(f);
    expect(recordingProgress(weights, 2, 0.2)).toBe(0);
    expect(recordingProgress(weights, 0, 0.8)).toBe(1);
    expect(recordingProgress([0, 0], 1, 0.5)).toBe(0);
  });
});
