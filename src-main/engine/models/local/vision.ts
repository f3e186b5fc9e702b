import { statSync } from 'node:fs';
import path from 'node:path';
import { Tensor } from '@huggingface/transformers';
import type { Processor } from '@huggingface/transformers';
import type { FeatureCache, ImageFeatures } from '../../cache/features.js';
import { smartResize } from '../../saa/tokens.js';
import { DTYPE_SUFFIX, type ModelManifest } from '../manifest.js';
import { gridTokens, mergeSizeOf } from './prompt.js';

/**
 * The vision side of a local model: features of each image part computed once (kept on the
 * prepared prompt, and in the feature cache when there is one), and what a frame costs in
 * visual tokens.
 */

/** One image part of a prepared prompt: its feature-cache key, its grid and its features once known. */
export interface PreparedImage {
  key: string;
  grid: number[];
  features: ImageFeatures | null;
}

export type EncodeImage = (inputs: { pixel_values: Tensor; image_grid_thw: Tensor }) => Promise<Tensor>;

/** Vision-encoder runs and the image parts they encoded (for tests and benches). */
export interface EncoderStats {
  runs: number;
  images: number;
}

function gridProduct(g: readonly number[]): number {
  return g.reduce((a, b) => a * b, 1);
}

/** Runs of the encoder: consecutive parts whose patches add up to at most `maxPatches` (one part at least). */
function chunks(parts: readonly PreparedImage[], maxPatches: number): PreparedImage[][] {
  const out: PreparedImage[][] = [];
  let load = 0;
  for (const part of parts) {
    const n = gridProduct(part.grid);
    if (out.length === 0 || load + n > maxPatches) {
      out.push([]);
      load = 0;
    }
    (out.at(-1) as PreparedImage[]).push(part);
    load += n;
  }
  return out;
}

/**
 * The features of every image of a prompt, in order, as one [tokens, hidden] tensor; only the
 * parts not yet known are encoded, then kept on the part and in `cache`. The encoder attends
 * across all patches of one run (block-diagonal, image by image), so a run's cost and memory
 * grow with the square of its patches: parts go in runs of at most `maxPatches` patches.
 */
export async function imageFeatures(
  images: readonly PreparedImage[],
  pixelValues: Tensor,
  encode: EncodeImage,
  opts: { mergeSize: number; cache: FeatureCache | null; stats: EncoderStats; maxPatches?: number },
): Promise<Tensor> {
  let row = 0;
  for (const run of chunks(
    images.filter((im) => !im.features),
    opts.maxPatches ?? Infinity,
  )) {
    const patches = run.reduce((a, m) => a + gridProduct(m.grid), 0);
    const grid = new Tensor('int64', BigInt64Array.from(run.flatMap((m) => m.grid).map(BigInt)), [run.length, 3]);
    const pixels = pixelValues.slice([row, row + patches]);
    row += patches;
    const out = await encode({ pixel_values: pixels, image_grid_thw: grid });
    opts.stats.runs++;
    opts.stats.images += run.length;
    await keepFeatures(run, out, opts);
  }
  const feats = images.map((im) => im.features as ImageFeatures);
  const hidden = feats[0]?.dims[1] ?? 0;
  const total = feats.reduce((a, f) => a + f.dims[0], 0);
  const data = new Float32Array(total * hidden);
  let at = 0;
  for (const f of feats) {
    data.set(f.data, at);
    at += f.data.length;
  }
  return new Tensor('float32', data, [total, hidden]);
}

/** Splits one encoder run's output among its parts, keeping each on the part and in the cache. */
async function keepFeatures(
  run: readonly PreparedImage[],
  out: Tensor,
  opts: { mergeSize: number; cache: FeatureCache | null },
): Promise<void> {
  const hidden = out.dims[1] ?? 0;
  const all = out.data as Float32Array;
  let row = 0;
  for (const m of run) {
    const n = gridProduct(m.grid) / opts.mergeSize ** 2;
    m.features = { grid: m.grid, dims: [n, hidden], data: all.slice(row * hidden, (row + n) * hidden) };
    row += n;
    if (opts.cache) await opts.cache.put(m.key, m.features);
  }
}

/** The image processor's pixel bounds and patch side, read as transformers.js's Qwen2VLImageProcessor reads them. */
function pixelBounds(processor: Processor): { minPixels?: number; maxPixels?: number; patch: number } {
  const c = (processor.image_processor?.config ?? {}) as {
    min_pixels?: number;
    max_pixels?: number;
    size?: { shortest_edge?: number; longest_edge?: number };
    patch_size?: number;
  };
  return {
    minPixels: c.min_pixels ?? c.size?.shortest_edge,
    maxPixels: c.max_pixels ?? c.size?.longest_edge,
    patch: c.patch_size ?? 14,
  };
}

/**
 * Visual tokens a model's image processor gives a frame of this size: resized within its
 * min_pixels/max_pixels to multiples of patch_size * merge_size, one token per merged patch
 * (a pair of frames costs the same as one).
 */
export function visualTokensOf(processor: Processor, width: number, height: number): number {
  const { minPixels, maxPixels, patch } = pixelBounds(processor);
  const merge = mergeSizeOf(processor);
  const s = smartResize(height, width, {
    factor: patch * merge,
    ...(minPixels ? { minPixels } : {}),
    ...(maxPixels ? { maxPixels } : {}),
  });
  return gridTokens([1, s.height / patch, s.width / patch], merge);
}

/**
 * What identifies a model's vision features: folder, name, the encoder file's size and time,
 * its dtype, and the pixel bounds frames are resized within (a frame resized otherwise has
 * other features).
 */
export function visionKey(dir: string, manifest: ModelManifest, processor: Processor): string {
  const dtype = manifest.dtype.vision_encoder ?? 'fp32';
  const file = path.join(dir, 'onnx', `vision_encoder${DTYPE_SUFFIX[dtype]}.onnx`);
  const s = statSync(file, { throwIfNoEntry: false });
  const { minPixels, maxPixels } = pixelBounds(processor);
  return [path.resolve(dir), manifest.name, dtype, s?.size ?? 0, s?.mtimeMs ?? 0, minPixels, maxPixels].join('\u0000');
}
