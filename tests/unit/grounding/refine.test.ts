import { describe, expect, it } from 'vitest';
import { refinementFrames, snapToChangePoints } from '../../../src-main/engine/grounding/refine.js';
import { windowTokens } from '../../../src-main/engine/grounding/windows.js';

const BIG = { width: 448, height: 252, tokens: 144 };

describe('refinementFrames', () => {
  it('looks at 4 fps within 2 s of each boundary, plus the middle, at the given size', () => {
    const frames = refinementFrames({ startS: 10, endS: 20 }, 60, BIG);
    const times = frames.map((f) => f.t);
    expect(times.filter((t) => t <= 12)).toEqual(Array.from({ length: 17 }, (_, i) => 8 + i / 4));
    expect(times.filter((t) => t >= 18)).toEqual(Array.from({ length: 17 }, (_, i) => 18 + i / 4));
    expect(times).toContain(15);
    expect(frames).toHaveLength(35);
    expect(frames.every((f) => f.width === 448 && f.height === 252 && f.tokens === 144)).toBe(true);
  });

  it('keeps the size when the look fits the context', () => {
    // Paired: 17 frames a side make 8 pairs and a single, and the middle frame is alone: 19 parts.
    const frames = refinementFrames({ startS: 10, endS: 20 }, 60, BIG, { maxTokens: 19 * 144, pairFrames: true });
    expect(frames).toHaveLength(35);
    expect(frames[0]).toMatchObject(BIG);
  });

  it('makes the frames smaller, not fewer, to fit the context', () => {
    const frames = refinementFrames({ startS: 10, endS: 20 }, 60, BIG, { maxTokens: 2048, pairFrames: true });
    expect(frames).toHaveLength(35);
    expect(windowTokens(frames, true)).toBeLessThanOrEqual(2048);
    const f = frames[0]!;
    expect(f.width * f.height).toBeLessThan(448 * 252);
    expect(f.width % 28).toBe(0);
    expect(f.height % 28).toBe(0);
    expect(f.tokens).toBe((f.width / 28) * (f.height / 28));
    // Still wider than tall: the shape is kept.
    expect(f.width).toBeGreaterThan(f.height);
  });

  it('takes fewer frames only when even the smallest ones do not fit', () => {
    const frames = refinementFrames({ startS: 10, endS: 20 }, 60, BIG, { maxTokens: 64 });
    expect(frames.length).toBeLessThan(35);
    expect(windowTokens(frames, false)).toBeLessThanOrEqual(64);
    // Both boundaries still seen.
    expect(frames.some((f) => f.t === 10)).toBe(true);
    expect(frames.some((f) => f.t === 20)).toBe(true);
  });

  it("counts the frames' tokens as the model does, where it says", () => {
    const frames = refinementFrames({ startS: 10, endS: 20 }, 60, BIG, { maxTokens: 400, visualTokens: () => 10 });
    expect(frames).toHaveLength(35);
    expect(frames.every((f) => f.tokens === 10 && f.width === 448)).toBe(true);
  });

  it('stays inside the recording', () => {
    const times = refinementFrames({ startS: 0.5, endS: 29.5 }, 30, BIG).map((f) => f.t);
    expect(Math.min(...times)).toBe(0);
    expect(Math.max(...times)).toBe(29.9);
  });
});

describe('snapToChangePoints', () => {
  it('moves a boundary to the nearest change point within a second, and keeps the span valid', () => {
    expect(snapToChangePoints({ startS: 10.4, endS: 20 }, [10, 11, 25])).toEqual({ startS: 10, endS: 20 });
    expect(snapToChangePoints({ startS: 10, endS: 10.5 }, [10.2])).toEqual({ startS: 10, endS: 10.5 });
  });
});
