// What the figures compare the frame bounds against (src-main/engine/models/local/frame-bounds.ts):
// the size a frame would have had as a picture, under the image processor's own minimum.
import fs from 'node:fs';
import path from 'node:path';
import type { ModelFamily } from '../../../src-main/engine/models/families.js';
import { frameMinPixels } from '../../../src-main/engine/models/local/frame-bounds.js';
import { smartResize, type Size } from '../../../src-main/engine/saa/tokens.js';

interface ImageConfig {
  min_pixels?: number;
  max_pixels?: number;
  size?: { shortest_edge?: number; longest_edge?: number };
  patch_size?: number;
  merge_size?: number;
}

export type PictureSize = (width: number, height: number) => Size;

/**
 * For a family whose frames are bounded as video frames: a frame size -> the size its image
 * processor alone would give it (lifted to the picture minimum), where that differs from the
 * size it gets as a video frame; the size itself otherwise. Null for families bounded as pictures.
 */
export function pictureSizes(dir: string, family: ModelFamily): PictureSize | null {
  const c = JSON.parse(fs.readFileSync(path.join(dir, 'preprocessor_config.json'), 'utf8')) as ImageConfig;
  const imageMin = c.min_pixels ?? c.size?.shortest_edge ?? 56 * 56;
  const frameMin = frameMinPixels(dir, family);
  if (frameMin === null || frameMin >= imageMin) return null;
  const factor = (c.patch_size ?? 14) * (c.merge_size ?? 2);
  const maxPixels = c.max_pixels ?? c.size?.longest_edge ?? 14 * 14 * 4 * 1280;
  return (width, height) => {
    const asPicture = smartResize(height, width, { factor, minPixels: imageMin, maxPixels });
    const asFrame = smartResize(height, width, { factor, minPixels: frameMin, maxPixels });
    const same = asPicture.width === asFrame.width && asPicture.height === asFrame.height;
    return same ? { width, height } : asPicture;
  };
}
