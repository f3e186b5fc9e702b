import { describe, expect, it } from 'vitest';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import { cutWindows, groupFrames, windowTokens } from '../../../src-main/engine/grounding/windows.js';

const big = (t: number): PlannedFrame => ({ t, width: 448, height: 252, tokens: 144 });
const small = (t: number): PlannedFrame => ({ t, width: 224, height: 112, tokens: 32 });

describe('windowTokens', () => {
  it('pairs same-size neighbours when asked, the way Qwen2-VL pairs video frames', () => {
    const frames = [big(0), big(0.5), small(4), small(4.5), small(5), big(20)];
    expect(windowTokens(frames, false)).toBe(144 * 3 + 32 * 3);
    expect(windowTokens(frames, true)).toBe(144 + 32 + 32 + 144);
  });

  it('never pairs frames of different sizes or more than a second apart', () => {
    const frames = [big(0), small(0.5), small(4), small(8), big(8.5), big(10)];
    expect(groupFrames(frames, true).map((g) => g.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(windowTokens(frames, true)).toBe(windowTokens(frames, false));
  });

  it('groups in order and leaves an odd frame alone', () => {
    const frames = [big(0), big(0.5), big(1), small(3)];
    expect(groupFrames(frames, true)).toEqual([[big(0), big(0.5)], [big(1)], [small(3)]]);
    expect(groupFrames(frames, false)).toEqual(frames.map((f) => [f]));
  });
});

describe('cutWindows', () => {
  const frames = Array.from({ length: 100 }, (_, i) => (i % 10 < 3 ? big(i * 2) : small(i * 2)));

  it('keeps every window within its token budget and covers every frame', () => {
    const windows = cutWindows(frames, 200, { maxTokens: 1000, overlapS: 4 });
    expect(windows.length).toBeGreaterThan(3);
    for (const w of windows) {
      expect(w.visualTokens).toBeLessThanOrEqual(1000);
      expect(w.visualTokens).toBe(windowTokens(w.frames, false));
    }
    const seen = new Set(windows.flatMap((w) => w.frames.map((f) => f.t)));
    expect(seen.size).toBe(frames.length);
    expect(windows[0]?.startS).toBe(0);
    expect(windows.at(-1)?.endS).toBe(200);
    windows.forEach((w, i) => expect(w.index).toBe(i));
  });

  it('repeats about overlapS seconds between neighbours and always moves forward', () => {
    const windows = cutWindows(frames, 200, { maxTokens: 1000, overlapS: 4 });
    for (let i = 1; i < windows.length; i++) {
      const prev = windows[i - 1]!;
      const cur = windows[i]!;
      expect(cur.startS).toBeGreaterThan(prev.startS);
      expect(cur.startS).toBeLessThanOrEqual(prev.endS);
      expect(prev.endS - cur.startS).toBeLessThanOrEqual(4);
    }
  });

  it('fits more frames in a window when frames are paired', () => {
    const dense = frames.map((f) => ({ ...f, t: f.t / 4 }));
    const plain = cutWindows(dense, 50, { maxTokens: 1000 });
    const paired = cutWindows(dense, 50, { maxTokens: 1000, pairFrames: true });
    expect(paired.length).toBeLessThan(plain.length);
  });

  it('gives a frame larger than the budget a window of its own', () => {
    const windows = cutWindows([big(0), big(1), big(2)], 3, { maxTokens: 100, overlapS: 0 });
    expect(windows.map((w) => w.frames.length)).toEqual([1, 1, 1]);
  });

  it('gives one window to a plan that fits', () => {
    const windows = cutWindows([small(0), small(4)], 8, { maxTokens: 1000 });
    expect(windows).toEqual([{ index: 0, startS: 0, endS: 8, frames: [small(0), small(4)], visualTokens: 64 }]);
  });
});
