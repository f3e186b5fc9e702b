import { describe, expect, it } from 'vitest';
import { PAUSED, reverseStep, shuttle, SPEEDS, togglePlay } from '../../../src-renderer/src/lib/shuttle.js';

describe('J/K/L shuttle', () => {
  it('L plays forward and each further L goes faster, up to the top speed', () => {
    let s = shuttle(PAUSED, 'l');
    expect(s).toEqual({ direction: 'forward', speed: 1 });
    for (const speed of SPEEDS.slice(1)) {
      s = shuttle(s, 'l');
      expect(s).toEqual({ direction: 'forward', speed });
    }
    expect(shuttle(s, 'l').speed).toBe(SPEEDS[SPEEDS.length - 1]);
  });

  it('J goes backwards the same way, and switching direction starts again at 1x', () => {
    const fast = shuttle(shuttle(PAUSED, 'l'), 'l');
    expect(shuttle(fast, 'j')).toEqual({ direction: 'reverse', speed: 1 });
    expect(shuttle(shuttle(PAUSED, 'j'), 'j')).toEqual({ direction: 'reverse', speed: 2 });
  });

  it('K pauses from anything', () => {
    expect(shuttle(shuttle(PAUSED, 'j'), 'k')).toEqual(PAUSED);
    expect(shuttle(shuttle(PAUSED, 'l'), 'k')).toEqual(PAUSED);
  });

  it('Space pauses whatever runs and plays forward at 1x from pause', () => {
    expect(togglePlay(PAUSED)).toEqual({ direction: 'forward', speed: 1 });
    expect(togglePlay({ direction: 'reverse', speed: 4 })).toEqual(PAUSED);
  });

  it('reverse steps back in proportion to speed and stops at 0', () => {
    expect(reverseStep(10, 1)).toBeCloseTo(9.75);
    expect(reverseStep(10, 4)).toBeCloseTo(9);
    expect(reverseStep(0.1, 2)).toBe(0);
  });
});
