import { describe, expect, it } from 'vitest';
import { ropeTimePositions } from '../../../src-main/engine/models/local/rope-time.js';

// Token ids of the hand-worked cases: text tokens are small numbers, 99 is <|image_pad|>.
const IMG = 99;
const opts = { imageToken: IMG, mergeSize: 2, tokensPerSecond: 2 };
const img = (n: number) => Array<number>(n).fill(IMG);

describe('ropeTimePositions (Qwen2.5-VL absolute-time M-RoPE)', () => {
  it('gives what the reference get_rope_index gives a uniform 2 fps video', () => {
    // Reference: text [a, b, <vision_start>], a video of grid [2, 4, 4] at 2 fps
    // (second_per_grid_t = 1.0), then [<vision_end>, c]. Worked by hand from the rule:
    // text 0,1,2; offset 3; t_index = j * 1.0 * 2 = [0 x4, 2 x4] + 3; h/w on the 2x2 merged
    // grid + 3; text after continues from max + 1 = 6.
    // Here the two temporal patches are two parts (first frames at 10.0 s and 11.0 s).
    const ids = [1, 2, 3, ...img(8), 4, 5];
    const r = ropeTimePositions(
      ids,
      [
        { grid: [1, 4, 4], t: 10 },
        { grid: [1, 4, 4], t: 11 },
      ],
      opts,
    );
    expect(r.rows).toEqual([
      [0, 1, 2, 3, 3, 3, 3, 5, 5, 5, 5, 6, 7],
      [0, 1, 2, 3, 3, 4, 4, 3, 3, 4, 4, 6, 7],
      [0, 1, 2, 3, 4, 3, 4, 3, 4, 3, 4, 6, 7],
    ]);
    // delta = max + 1 - length = 8 - 13
    expect(r.delta).toBe(-5);
  });

  it("places SAA's uneven frames at floor(time x tokens_per_second) from the first one", () => {
    // Parts at 0.0 s (grid 1x2x2: one token), 0.4 s (1x4x4: four tokens), 3.2 s (one token):
    // temporal positions 2 + floor(0 * 2) = 2, 2 + floor(0.8) = 2, 2 + floor(6.4) = 8.
    const ids = [7, 8, ...img(6), 9, 10];
    const r = ropeTimePositions(
      ids,
      [
        { grid: [1, 2, 2], t: 0 },
        { grid: [1, 4, 4], t: 0.4 },
        { grid: [1, 2, 2], t: 3.2 },
      ],
      opts,
    );
    expect(r.rows).toEqual([
      [0, 1, 2, 2, 2, 2, 2, 8, 9, 10],
      [0, 1, 2, 2, 2, 3, 3, 2, 9, 10],
      [0, 1, 2, 2, 3, 2, 3, 2, 9, 10],
    ]);
    expect(r.delta).toBe(1);
  });

  it('starts each video block at its own first frame and continues text after it', () => {
    // Two blocks split by text: each block's times count from its own first part.
    const ids = [1, ...img(1), 2, ...img(1), 3];
    const r = ropeTimePositions(
      ids,
      [
        { grid: [1, 2, 2], t: 40 },
        { grid: [1, 2, 2], t: 50 },
      ],
      opts,
    );
    expect(r.rows[0]).toEqual([0, 1, 2, 3, 4]);
    expect(r.delta).toBe(0);
  });

  it('refuses prompts whose image tokens and parts disagree', () => {
    expect(() => ropeTimePositions([1, ...img(2)], [{ grid: [1, 2, 2], t: 0 }], opts)).toThrow(/more image tokens/);
    expect(() => ropeTimePositions([1, ...img(3)], [{ grid: [1, 4, 4], t: 0 }], opts)).toThrow(/fewer tokens/);
    expect(() => ropeTimePositions([1], [{ grid: [1, 2, 2], t: 0 }], opts)).toThrow(/1 image parts for 0/);
    expect(() => ropeTimePositions([...img(2)], [{ grid: [2, 2, 2], t: 0 }], opts)).toThrow(/2 temporal patches/);
  });
});
