import { Tensor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { imageFeatures, type PreparedImage } from '../../../src-main/engine/models/local/vision.js';

const HIDDEN = 2;
const PATCH_DIM = 3;

/** Parts of `patches` each (grid [1, 2, n/2]); pixel rows hold their part's index. */
function parts(sizes: number[]): { images: PreparedImage[]; pixels: Tensor } {
  const images = sizes.map((n, i) => ({ key: `p${i}`, grid: [1, 2, n / 2], features: null }));
  const rows = sizes.flatMap((n, i) => Array.from({ length: n }, () => i));
  const pixels = new Tensor('float32', Float32Array.from(rows.flatMap((i) => new Array(PATCH_DIM).fill(i))), [
    rows.length,
    PATCH_DIM,
  ]);
  return { images, pixels };
}

/** An encoder that records each run's grid rows and returns, per merged patch, the part index of its first pixel row. */
function recorder() {
  const runs: number[][] = [];
  const encode = async (inputs: { pixel_values: Tensor; image_grid_thw: Tensor }) => {
    const grid = Array.from(inputs.image_grid_thw.data as BigInt64Array, Number);
    const px = inputs.pixel_values.data as Float32Array;
    runs.push(grid);
    const merged = (inputs.pixel_values.dims[0] ?? 0) / 4;
    const out = new Float32Array(merged * HIDDEN);
    for (let r = 0; r < merged; r++) out.fill(px[r * 4 * PATCH_DIM] ?? -1, r * HIDDEN, (r + 1) * HIDDEN);
    return new Tensor('float32', out, [merged, HIDDEN]);
  };
  return { runs, encode };
}

describe('vision encoder runs', () => {
  it('encodes parts in runs of at most maxPatches patches, each part its own pixel rows, features in order', async () => {
    const { images, pixels } = parts([8, 8, 16, 4]);
    const { runs, encode } = recorder();
    const stats = { runs: 0, images: 0 };
    const out = await imageFeatures(images, pixels, encode, { mergeSize: 2, cache: null, stats, maxPatches: 16 });
    // 8 + 8 fit in 16; 16 alone; 4 alone after it would make 20.
    expect(runs.map((g) => g.length / 3)).toEqual([2, 1, 1]);
    expect(stats).toEqual({ runs: 3, images: 4 });
    expect(Array.from(out.data as Float32Array)).toEqual([0, 0, 1, 1, 2, 2, 2, 2, 3].flatMap((i) => [i, i]));
  });

  it('a part larger than maxPatches still goes, alone; no bound means one run', async () => {
    const a = parts([32, 8]);
    const r1 = recorder();
    await imageFeatures(a.images, a.pixels, r1.encode, {
      mergeSize: 2,
      cache: null,
      stats: { runs: 0, images: 0 },
      maxPatches: 16,
    });
    expect(r1.runs.length).toBe(2);
    const b = parts([32, 8]);
    const r2 = recorder();
    await imageFeatures(b.images, b.pixels, r2.encode, { mergeSize: 2, cache: null, stats: { runs: 0, images: 0 } });
    expect(r2.runs.length).toBe(1);
  });
});
