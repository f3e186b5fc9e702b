import { describe, expect, it } from 'vitest';
import { applyCalibration, fitIsotonic } from '../../../src-main/engine/learning/isotonic.js';
import { reliability } from '../../../src-main/engine/learning/reliability.js';

describe('fitIsotonic (pool-adjacent-violators)', () => {
  it('pools a decreasing pair into its mean and keeps the block ends', () => {
    // 0.1:0, 0.2:1, 0.3:0, 0.4:1 -> 0.2 and 0.3 violate and pool to 0.5.
    expect(fitIsotonic([0.3, 0.1, 0.4, 0.2], [0, 0, 1, 1])).toEqual([
      [0.1, 0],
      [0.2, 0.5],
      [0.3, 0.5],
      [0.4, 1],
    ]);
  });

  it('pools equal confidences first, then back through several blocks', () => {
    // 0.2: 1,1 then 0.5: 0 pool to 2/3 over 0.2-0.5; 0.6: 1,0,0 (1/3) is below that, so all pool to 3/6.
    expect(fitIsotonic([0.2, 0.2, 0.5, 0.6, 0.6, 0.6], [1, 1, 0, 1, 0, 0])).toEqual([
      [0.2, 0.5],
      [0.6, 0.5],
    ]);
  });

  it('leaves an increasing fit alone and gives nothing for no data', () => {
    expect(fitIsotonic([0.1, 0.9], [0, 1])).toEqual([
      [0.1, 0],
      [0.9, 1],
    ]);
    expect(fitIsotonic([], [])).toEqual([]);
  });
});

describe('applyCalibration', () => {
  const points: [number, number][] = [
    [0.1, 0],
    [0.2, 0.5],
    [0.3, 0.5],
    [0.4, 1],
  ];
  it('interpolates between points and is flat beyond them', () => {
    expect(applyCalibration(points, 0.05)).toBe(0);
    expect(applyCalibration(points, 0.15)).toBeCloseTo(0.25, 12);
    expect(applyCalibration(points, 0.25)).toBe(0.5);
    expect(applyCalibration(points, 0.35)).toBeCloseTo(0.75, 12);
    expect(applyCalibration(points, 0.3)).toBe(0.5);
    expect(applyCalibration(points, 0.9)).toBe(1);
  });

  it('is the identity with no points', () => {
    expect(applyCalibration([], 0.42)).toBe(0.42);
  });
});

describe('reliability', () => {
  it('bins confidences and weighs each bin gap by its size', () => {
    const r = reliability([
      { p: 0.05, y: 0 },
      { p: 0.15, y: 1 },
      { p: 0.95, y: 1 },
      { p: 1, y: 1 },
    ]);
    expect(r.bins.map((b) => [b.from, b.n])).toEqual([
      [0, 1],
      [0.1, 1],
      [0.9, 2],
    ]);
    // |0 - 0.05| + |1 - 0.15| + 2 * |1 - 0.975|, over 4.
    expect(r.ece).toBeCloseTo((0.05 + 0.85 + 0.05) / 4, 12);
    expect(reliability([]).ece).toBeNull();
  });
});
