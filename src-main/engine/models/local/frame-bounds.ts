import fs from 'node:fs';
import path from 'node:path';
import type { Processor } from '@huggingface/transformers';
import { FAMILIES, type ModelFamily } from '../families.js';

/**
 * Recording frames are video frames, and a family's video processor may bound them more
 * loosely than its image processor bounds a picture. Qwen3-VL's image processor lifts every
 * image to at least 65,536 pixels, but its video processor bounds the clip as a whole
 * (frames x height x width >= 4,096 in the published video_preprocessor_config.json), so a
 * 224x112 frame of a video stays 224x128 there (28 visual tokens) where as a picture it would
 * become 384x192 (72). The engine hands frames to the image processor one part at a time (a
 * part is one temporal patch, 2 frames), so a frame may have as few pixels as the clip bound
 * over one temporal patch: what the model's own video path would give a clip of that part.
 */

const VIDEO_CONFIG = 'video_preprocessor_config.json';

interface VideoConfig {
  size?: { shortest_edge?: unknown };
  min_pixels?: unknown;
  temporal_patch_size?: unknown;
}

interface ImageProcessorLike {
  min_pixels?: number;
  config: { min_pixels?: number; size?: { shortest_edge?: number }; temporal_patch_size?: number };
}

function positive(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

/** The folder's video_preprocessor_config.json, or null when it has none or it is not a JSON object. */
function readVideoConfig(dir: string): VideoConfig | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, VIDEO_CONFIG), 'utf8');
  } catch {
    return null;
  }
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as VideoConfig) : null;
  } catch {
    return null;
  }
}

/**
 * Fewest pixels one frame of a part may have under the family's video bounds, or null where
 * the family bounds video frames as images (nothing to change). The folder's
 * video_preprocessor_config.json wins over the family's published value.
 */
export function frameMinPixels(dir: string, family: ModelFamily, temporalPatchSize = 2): number | null {
  const published = FAMILIES[family].clipMinPixels;
  if (published === null) return null;
  const video = readVideoConfig(dir);
  const clip = positive(video?.size?.shortest_edge) ?? positive(video?.min_pixels) ?? published;
  const frames = positive(video?.temporal_patch_size) ?? temporalPatchSize;
  return Math.max(1, Math.floor(clip / frames));
}

/**
 * Lowers the image processor's min_pixels to the frame bound (never raises it), in the
 * processor and in its config (which visualTokensOf reads). Returns the min_pixels in force.
 */
export function applyFrameBounds(processor: Processor, dir: string, family: ModelFamily): number | null {
  const ip = processor.image_processor as unknown as ImageProcessorLike | undefined;
  if (!ip) return null;
  const current = ip.min_pixels ?? ip.config.min_pixels ?? ip.config.size?.shortest_edge ?? null;
  const frame = frameMinPixels(dir, family, ip.config.temporal_patch_size ?? 2);
  if (frame === null || (current !== null && current <= frame)) return current;
  ip.min_pixels = frame;
  ip.config.min_pixels = frame;
  if (ip.config.size) ip.config.size = { ...ip.config.size, shortest_edge: frame };
  return frame;
}
