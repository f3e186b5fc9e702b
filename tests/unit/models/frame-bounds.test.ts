import fs from 'node:fs';
import path from 'node:path';
import { Qwen2VLImageProcessor, RawImage, type Processor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { applyFrameBounds, frameMinPixels } from '../../../src-main/engine/models/local/frame-bounds.js';
import { visionKey, visualTokensOf } from '../../../src-main/engine/models/local/vision.js';
import type { ModelManifest } from '../../../src-main/engine/models/manifest.js';
import { realPreprocessorJson } from '../../fixtures/real-size/configs.js';
import { realSizeSpec } from '../../fixtures/real-size/spec.js';
import { tempDir } from '../../support/temp.js';

/** Qwen3-VL-2B-Instruct's published preprocessor_config.json (16 px patches merged 2x2, pictures from 65,536 pixels). */
const QWEN3_IMAGE = realPreprocessorJson(realSizeSpec('qwen3-vl-2b'));

function qwen3Processor(): Processor {
  return { image_processor: new Qwen2VLImageProcessor(structuredClone(QWEN3_IMAGE)) } as unknown as Processor;
}

async function grid(p: Processor, width: number, height: number): Promise<number[]> {
  const image = new RawImage(new Uint8ClampedArray(width * height * 3).fill(128), width, height, 3);
  const out = (await p.image_processor!(image)) as { image_grid_thw: { tolist(): bigint[][] } };
  return (out.image_grid_thw.tolist()[0] as bigint[]).map(Number);
}

function writeVideoConfig(dir: string, value: unknown): void {
  fs.writeFileSync(path.join(dir, 'video_preprocessor_config.json'), JSON.stringify(value));
}

describe('frame bounds', () => {
  it('leaves families that bound video frames as pictures alone', () => {
    const dir = tempDir('frame-bounds-');
    expect(frameMinPixels(dir, 'qwen2_vl')).toBeNull();
    expect(frameMinPixels(dir, 'qwen2_5_vl')).toBeNull();
  });

  it("takes Qwen3-VL's clip minimum over one temporal patch, from the folder's video config when it has one", () => {
    const dir = tempDir('frame-bounds-');
    // None: the published 4096 pixels of a clip, over the 2 frames of a part.
    expect(frameMinPixels(dir, 'qwen3_vl')).toBe(2048);
    writeVideoConfig(dir, { size: { shortest_edge: 8192, longest_edge: 25165824 }, temporal_patch_size: 2 });
    expect(frameMinPixels(dir, 'qwen3_vl')).toBe(4096);
    fs.writeFileSync(path.join(dir, 'video_preprocessor_config.json'), '{ not json');
    expect(frameMinPixels(dir, 'qwen3_vl')).toBe(2048);
  });

  it("gives Qwen3-VL's small frames the grid its video processor would, not the lifted picture grid", async () => {
    const dir = tempDir('frame-bounds-');
    writeVideoConfig(dir, { size: { shortest_edge: 4096, longest_edge: 25165824 }, temporal_patch_size: 2 });
    const p = qwen3Processor();
    // As a picture, a 224x112 frame is lifted to 384x192: a 12x24 patch grid, 72 visual tokens.
    expect(await grid(p, 224, 112)).toEqual([1, 12, 24]);
    expect(visualTokensOf(p, 224, 112)).toBe(72);
    const manifest = { name: 'm', dtype: { vision_encoder: 'q8' } } as unknown as ModelManifest;
    const keyBefore = visionKey(dir, manifest, p);

    expect(applyFrameBounds(p, dir, 'qwen3_vl')).toBe(2048);
    // As a video frame it stays 224x128: 8x14 patches, 28 tokens; an active 448x252 frame is unchanged.
    expect(await grid(p, 224, 112)).toEqual([1, 8, 14]);
    expect(visualTokensOf(p, 224, 112)).toBe(28);
    expect(await grid(p, 448, 252)).toEqual([1, 16, 28]);
    expect(visualTokensOf(p, 448, 252)).toBe(112);
    // Features cached under the old bounds are not served for the new ones.
    expect(visionKey(dir, manifest, p)).not.toBe(keyBefore);
  });

  it('never raises a minimum that is already lower', () => {
    const dir = tempDir('frame-bounds-');
    const low = {
      image_processor: new Qwen2VLImageProcessor({
        ...structuredClone(QWEN3_IMAGE),
        min_pixels: 1024,
        size: { shortest_edge: 1024 },
      }),
    } as unknown as Processor;
    expect(applyFrameBounds(low, dir, 'qwen3_vl')).toBe(1024);
    expect(visualTokensOf(low, 64, 32)).toBe(2);
  });
});
