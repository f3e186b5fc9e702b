import { describe, expect, it } from 'vitest';
import { qwenTokens, smartResize } from '../../../src-main/engine/saa/index.js';
import { frameSize } from '../../../src-main/engine/saa/tokens.js';

// Expected values worked out by hand from Qwen2-VL's smart_resize (and checked against
// the Python original): round to multiples of 28, then scale by sqrt(area/maxPixels).
describe('smartResize', () => {
  it('scales 640x360 down to the active class 448x252 (beta = 10/7 exactly)', () => {
    expect(smartResize(360, 640, { maxPixels: 448 * 252 })).toEqual({ height: 252, width: 448 });
    expect(qwenTokens(448, 252)).toBe(16 * 9);
  });

  it('floors each side after scaling: 640x360 in 224*126 gives 224x112, not 224x126', () => {
    // beta = 20/7: 360/beta = 126 -> 126/28 = 4.5 -> floor 4 -> 112; 640/beta = 224 -> 8 -> 224.
    expect(smartResize(360, 640, { maxPixels: 224 * 126 })).toEqual({ height: 112, width: 224 });
    expect(qwenTokens(224, 112)).toBe(32);
  });

  it('only rounds when the area already fits', () => {
    // 360/28 = 12.86 -> 13 -> 364; 640/28 = 22.86 -> 23 -> 644; 364*644 < 14*14*4*1280.
    expect(smartResize(360, 640)).toEqual({ height: 364, width: 644 });
    // 180/28 = 6.43 -> 168; 320/28 = 11.43 -> 308; 51744 <= 448*252.
    expect(smartResize(180, 320, { maxPixels: 448 * 252 })).toEqual({ height: 168, width: 308 });
  });

  it('scales 1920x1080 under the default maximum', () => {
    // rounded 1092x1932 is over 1003520: beta = sqrt(2073600/1003520) = 1.4375;
    // 1080/beta/28 = 26.8 -> 728; 1920/beta/28 = 47.7 -> 1316.
    expect(smartResize(1080, 1920)).toEqual({ height: 728, width: 1316 });
  });

  it('rounds halves to even as Python does', () => {
    // 70/28 = 2.5 -> 2 -> 56; 98/28 = 3.5 -> 4 -> 112.
    expect(smartResize(70, 98)).toEqual({ height: 56, width: 112 });
  });

  it('scales up with ceil when under minPixels', () => {
    // 40x20 rounds to 28x28 = 784 < 3136: beta = sqrt(3136/800) = 1.98;
    // 40*beta/28 = 2.83 -> 3 -> 84; 20*beta/28 = 1.41 -> 2 -> 56.
    expect(smartResize(40, 20)).toEqual({ height: 84, width: 56 });
  });

  it('keeps sides multiples of the factor and the area within maxPixels for many sizes', () => {
    for (const [h, w] of [
      [480, 640],
      [720, 1280],
      [1080, 1440],
      [100, 3000],
      [2160, 3840],
    ] as const) {
      for (const maxPixels of [224 * 126, 448 * 252, 1003520]) {
        const s = smartResize(h, w, { maxPixels });
        expect(s.height % 28).toBe(0);
        expect(s.width % 28).toBe(0);
        expect(s.height * s.width).toBeLessThanOrEqual(maxPixels);
        expect(Math.abs(s.width / s.height - w / h) / (w / h)).toBeLessThan(0.35);
      }
    }
  });

  it('rejects an empty side and an aspect ratio over 200', () => {
    expect(() => smartResize(0, 640)).toThrow(RangeError);
    expect(() => smartResize(10, 2010)).toThrow(/aspect/);
  });
});

describe('frameSize', () => {
  it('is the size within the budget when the processor keeps it', () => {
    expect(frameSize(720, 1280, 448 * 252)).toEqual({ height: 252, width: 448, tokens: 144 });
  });

  it("takes a size under min_pixels through the processor's own pass, so its tokens are what the model spends", () => {
    // Within 56*56 a 16:9 source is 28x56 (2 tokens), but the processor scales that frame up to 56x84.
    expect(smartResize(720, 1280, { maxPixels: 56 * 56 })).toEqual({ height: 28, width: 56 });
    expect(frameSize(720, 1280, 56 * 56)).toEqual({ height: 56, width: 84, tokens: 6 });
    const again = frameSize(56, 84, 56 * 84);
    expect(again).toEqual({ height: 56, width: 84, tokens: 6 });
  });
});
