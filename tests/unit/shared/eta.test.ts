/** The one ETA rule of every job (src-shared/eta.ts) and how durations are said. */
import { describe, expect, it } from 'vitest';
import { eta, formatEta, formatSeconds, jobEta } from '../../../src-shared/eta.js';

describe('eta', () => {
  it('extrapolates the pace so far: a quarter done in 10 s leaves 30 s', () => {
    expect(eta(1_000, 11_000, 0.25)).toBe(30);
    expect(eta(0, 60_000, 0.5)).toBe(60);
  });

  it('says nothing too early: under 2% done, or under 3 s run', () => {
    expect(eta(0, 60_000, 0.01)).toBeNull();
    expect(eta(0, 2_000, 0.5)).toBeNull();
    expect(eta(0, 3_000, 0.02)).toBeCloseTo(147, 9);
  });

  it('says nothing when done or when the inputs make no sense', () => {
    expect(eta(0, 60_000, 1)).toBeNull();
    expect(eta(10_000, 0, 0.5)).toBeNull();
    expect(eta(Number.NaN, 10_000, 0.5)).toBeNull();
    expect(eta(0, 10_000, Number.NaN)).toBeNull();
  });

  it("reads a job's ISO start", () => {
    const startedAt = new Date(1_000_000).toISOString();
    expect(jobEta({ startedAt, progress: 0.5 }, 1_020_000)).toBe(20);
    expect(jobEta({ startedAt: null, progress: 0.5 }, 1_020_000)).toBeNull();
    expect(jobEta({ startedAt: 'not a time', progress: 0.5 }, 1_020_000)).toBeNull();
  });
});

describe('formatSeconds and formatEta', () => {
  it.each([
    [0.4, 'under a second'],
    [12.4, '12 s'],
    [59.4, '59 s'],
    [59.6, '1 min'],
    [260, '4 min 20 s'],
    [262, '4 min 20 s'],
    [3_598, '1 h'],
    [7_500, '2 h 5 min'],
  ])('%s s is "%s"', (s, text) => expect(formatSeconds(s)).toBe(text));

  it('says the time left, or nothing yet', () => {
    expect(formatEta(190)).toBe('about 3 min 10 s left');
    expect(formatEta(0.2)).toBe('almost done');
    expect(formatEta(null)).toBe('');
  });
});
