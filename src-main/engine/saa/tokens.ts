/** Side of one Qwen2-VL visual token in pixels: a 14 px patch merged 2x2. */
export const QWEN_FACTOR = 28;

export interface SmartResizeOptions {
  /** Sizes are rounded to multiples of this (default 28). */
  factor?: number;
  /** Smallest area in pixels (default 56*56). */
  minPixels?: number;
  /** Largest area in pixels (default 14*14*4*1280, Qwen2-VL's image default). */
  maxPixels?: number;
}

export interface Size {
  height: number;
  width: number;
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The size Qwen2-VL resizes an image to, as its processor's `smart_resize` does:
 * both sides rounded to multiples of `factor`; when the area exceeds `maxPixels`,
 * scaled down by sqrt(area/maxPixels) rounding down; when under `minPixels`, scaled up
 * rounding up. The aspect ratio is kept as closely as the rounding allows.
 * Throws on a side of zero or an aspect ratio over 200, as the original does.
 */
export function smartResize(height: number, width: number, opts: SmartResizeOptions = {}): Size {
  const factor = opts.factor ?? QWEN_FACTOR;
  const minPixels = opts.minPixels ?? 56 * 56;
  const maxPixels = opts.maxPixels ?? 14 * 14 * 4 * 1280;
  if (!(height > 0 && width > 0)) throw new RangeError(`smartResize: bad size ${width}x${height}`);
  if (Math.max(height, width) / Math.min(height, width) > 200) {
    throw new RangeError(`smartResize: aspect ratio over 200 (${width}x${height})`);
  }
  let hBar = roundHalfEven(height / factor) * factor;
  let wBar = roundHalfEven(width / factor) * factor;
  if (hBar * wBar > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    hBar = Math.max(factor, Math.floor(height / beta / factor) * factor);
    wBar = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (hBar * wBar < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    hBar = Math.ceil((height * beta) / factor) * factor;
    wBar = Math.ceil((width * beta) / factor) * factor;
  }
  return { height: hBar, width: wBar };
}

/**
 * Visual tokens Qwen2-VL spends on one image already resized by {@link smartResize}:
 * one token per 28x28 block.
 */
export function qwenTokens(width: number, height: number): number {
  return (width / QWEN_FACTOR) * (height / QWEN_FACTOR);
}

/** A size to decode frames at, with the visual tokens it costs. */
export interface FrameSize extends Size {
  tokens: number;
}

/**
 * The size to decode a frame of a `width` x `height` source at, within `maxPixels`, and its
 * tokens. The processor resizes the frame it is handed once more, so a size that pass would
 * change (one under min_pixels, which it scales back up) is taken through it here too; the
 * tokens are then what the model really spends.
 */
export function frameSize(height: number, width: number, maxPixels: number): FrameSize {
  const first = smartResize(height, width, { maxPixels });
  const s = smartResize(first.height, first.width, { maxPixels: Math.max(maxPixels, first.width * first.height) });
  return { ...s, tokens: qwenTokens(s.width, s.height) };
}
