import { z } from 'zod';

/** The families Tempo Review runs, by config.json `model_type`. */
export const ModelFamily = z.enum(['qwen2_vl', 'qwen2_5_vl', 'qwen3_vl']);
export type ModelFamily = z.infer<typeof ModelFamily>;

/**
 * How a family was trained to read time:
 * - `labels`: a text label before each image part, `<12.5s>` (`<12.5s,13.0s>` for a pair);
 *   the model answers in recording time.
 * - `rope-time`: no text; the frames form one video block whose temporal rotary positions
 *   are the frame times x `vision_config.tokens_per_second` (Qwen2.5-VL's absolute-time
 *   M-RoPE), counted from the window's first frame, so the model answers in seconds from
 *   that frame.
 * - `seconds-labels`: Qwen3-VL's own text timestamp before each temporal patch,
 *   `<12.5 seconds>` (the mean time of a pair), with the plain M-RoPE of separate parts.
 */
export type TimeEncoding = 'labels' | 'rope-time' | 'seconds-labels';

export interface FamilyInfo {
  /** The vision encoder's grid input. */
  gridInput: 'grid_thw' | 'image_grid_thw';
  /** Whether transformers.js reads layer and head counts from a nested `text_config`. */
  nestedText: boolean;
  /** Answer profile when none is given. */
  profile: string;
  time: TimeEncoding;
  /**
   * Fewest pixels the family's video processor allows a whole clip (frames x height x width),
   * as its published video_preprocessor_config.json has it; null where video frames are
   * bounded one by one as images are (Qwen2-VL, Qwen2.5-VL). See local/frame-bounds.ts.
   */
  clipMinPixels: number | null;
}

/** What Tempo Review knows of each family. */
export const FAMILIES: Readonly<Record<ModelFamily, FamilyInfo>> = {
  qwen2_vl: {
    gridInput: 'grid_thw',
    nestedText: false,
    profile: 'qwen2-vl',
    time: 'labels',
    clipMinPixels: null,
  },
  qwen2_5_vl: {
    gridInput: 'image_grid_thw',
    nestedText: true,
    profile: 'timelens',
    time: 'rope-time',
    clipMinPixels: null,
  },
  qwen3_vl: {
    gridInput: 'image_grid_thw',
    nestedText: true,
    profile: 'qwen3-vl',
    time: 'seconds-labels',
    clipMinPixels: 4096,
  },
};
