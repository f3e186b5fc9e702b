import { describe, expect, it } from 'vitest';
import { activeStretches, detectChangePoints } from '../../../src-main/engine/saa/index.js';
import { fillRect, nearest, scoreClip, trackOf } from './synthetic.js';

describe('detectChangePoints on synthetic scenes', () => {
  it('finds none in noise only', () => {
    for (const seed of [1, 2, 3]) {
      expect(detectChangePoints(scoreClip({ durationS: 60, noise: 2, seed, scene: () => {} }))).toEqual([]);
    }
  });

  it('finds one change point within 0.5 s of a square appearing', () => {
    for (const at of [7.3, 12.0, 20.9]) {
      const cps = detectChangePoints(
        scoreClip({
          durationS: 30,
          scene: (t, img, w, h) => {
            if (t >= at) fillRect(img, w, h, { x: 30, y: 12, w: 6, h: 6 }, 180);
          },
        }),
      );
      expect(cps).toHaveLength(1);
      expect(Math.abs(cps[0]! - at)).toBeLessThanOrEqual(0.5);
    }
  });

  it('finds the appearance and the disappearance of a square as two change points', () => {
    const cps = detectChangePoints(
      scoreClip({
        durationS: 30,
        scene: (t, img, w, h) => {
          if (t >= 9.6 && t < 17.2) fillRect(img, w, h, { x: 10, y: 5, w: 10, h: 8 }, 30);
        },
      }),
    );
    expect(cps).toHaveLength(2);
    expect(nearest(9.6, cps)).toBeLessThanOrEqual(0.5);
    expect(nearest(17.2, cps)).toBeLessThanOrEqual(0.5);
  });

  it('finds the onset and the offset of a moving square', () => {
    const [from, to] = [6.4, 15.1];
    const cps = detectChangePoints(
      scoreClip({
        durationS: 25,
        scene: (t, img, w, h) => {
          // Still before and after, moving 4 px/s in between.
          const x = 5 + 4 * (Math.min(Math.max(t, from), to) - from);
          fillRect(img, w, h, { x, y: 14, w: 7, h: 7 }, 210);
        },
      }),
    );
    expect(cps).toHaveLength(2);
    expect(Math.abs(cps[0]! - from)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cps[1]! - to)).toBeLessThanOrEqual(0.5);
  });

  it('gives one change point for a hard cut', () => {
    const cps = detectChangePoints(
      scoreClip({
        durationS: 20,
        scene: (t, img) => {
          if (t >= 11.1) img.fill(170);
        },
      }),
    );
    expect(cps).toHaveLength(1);
    expect(Math.abs(cps[0]! - 11.1)).toBeLessThanOrEqual(0.5);
  });
});

describe('detectChangePoints hysteresis', () => {
  const quiet = (n: number): number[] => Array.from({ length: n }, () => 0);

  it('reports the onset half a sample before the first active sample', () => {
    expect(detectChangePoints(trackOf([...quiet(10), 0.05, 0.05, ...quiet(10)]))).toEqual([10 / 4 - 0.125]);
  });

  it('needs the enter level to start and the exit level to end', () => {
    // 0.003 never reaches enter (0.004): nothing. A peak of 0.01 then 0.002 (over exit 0.0015)
    // keeps the stretch going for 8 samples, past the sustained length.
    expect(detectChangePoints(trackOf([...quiet(5), 0.003, 0.003, 0.003, ...quiet(5)]))).toEqual([]);
    const s = activeStretches(trackOf([...quiet(5), 0.01, ...Array(7).fill(0.002), 0.001, ...quiet(5)]));
    expect(s).toEqual([{ first: 5, last: 12 }]);
  });

  it('merges a tiny gap but not a long one', () => {
    const tiny = activeStretches(trackOf([...quiet(4), 0.02, 0.02, 0, 0.02, 0.02, ...quiet(4)]));
    expect(tiny).toEqual([{ first: 4, last: 8 }]);
    const long = activeStretches(trackOf([...quiet(4), 0.02, 0.02, 0, 0, 0, 0.02, 0.02, ...quiet(4)]));
    expect(long).toHaveLength(2);
  });

  it('adds the end of a sustained stretch only', () => {
    const short = trackOf([...quiet(8), ...Array(6).fill(0.03), ...quiet(8)]); // 1.5 s: not sustained
    expect(detectChangePoints(short)).toHaveLength(1);
    const long = trackOf([...quiet(8), ...Array(20).fill(0.03), ...quiet(8)]); // 5 s
    const cps = detectChangePoints(long);
    expect(cps).toHaveLength(2);
    expect(cps[0]).toBeCloseTo(8 / 4 - 0.125);
    expect(cps[1]).toBeCloseTo(27 / 4 - 0.125 - 0.125);
  });

  it('returns sorted, non-negative times, an active first sample included', () => {
    const cps = detectChangePoints(trackOf([0.05, 0.05, ...quiet(10), ...Array(12).fill(0.05), ...quiet(3)]));
    expect(cps[0]).toBe(0);
    expect(cps).toEqual([...cps].sort((a, b) => a - b));
    expect(cps).toHaveLength(3);
  });
});
