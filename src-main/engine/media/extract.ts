import { rawVideoFrames } from './raw-video.js';
import { MediaError } from './tools.js';

export interface FrameRequest {
  /** Time in seconds from the start of the recording. */
  t: number;
  width: number;
  height: number;
}

export interface RgbFrame extends FrameRequest {
  /** RGB24 pixels, row-major; owned by the caller. */
  data: Uint8Array;
}

/**
 * Resizes RGB24 pixels by area averaging (each output pixel is the mean of the source pixels
 * it covers). Used to bring frames decoded at the largest planned size down to smaller ones.
 */
export function resizeRgb(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  if (sw === dw && sh === dh) return src.slice();
  const out = new Uint8Array(dw * dh * 3);
  const fx = sw / dw;
  const fy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const y0 = Math.floor(y * fy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * fy));
    for (let x = 0; x < dw; x++) {
      const x0 = Math.floor(x * fx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * fx));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        let i = (yy * sw + x0) * 3;
        for (let xx = x0; xx < x1; xx++, i += 3) {
          r += src[i] as number;
          g += src[i + 1] as number;
          b += src[i + 2] as number;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * dw + x) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return out;
}

/** Slots one ffmpeg pass selects at most. */
const MAX_SLOTS_PER_PASS = 64;

/**
 * One ffmpeg pass: seeks to just before the first slot, decodes the slots' frames at `size`
 * and stops reading the file just after the last one.
 */
async function decodeSlots(
  file: string,
  slots: readonly number[],
  fps: number,
  size: { width: number; height: number },
  signal: AbortSignal | undefined,
  mayBePastEnd: boolean,
): Promise<Uint8Array[]> {
  const half = 0.5 / fps;
  const seek = Math.max(0, (slots[0] as number) / fps - 2);
  // Read no further than just past the last slot: ffmpeg holds its last selected frame back
  // until the input ends, so without the limit a look at a few seconds waits for the whole rest
  // of the file to be decoded.
  const read = (slots.at(-1) as number) / fps + 1 - seek;
  const terms = slots.map((n) => `between(t\\,${(n / fps - half).toFixed(4)}\\,${(n / fps + half - 1e-4).toFixed(4)})`);
  const out: Uint8Array[] = [];
  try {
    for await (const frame of rawVideoFrames(file, size.width * size.height * 3, {
      inputOptions: ['-ss', seek.toFixed(3), '-t', read.toFixed(3), '-copyts'],
      filter: `select='${terms.join('+')}',scale=${size.width}:${size.height}:flags=area,format=rgb24`,
      pixelFormat: 'rgb24',
      outputOptions: ['-fps_mode', 'passthrough'],
      signal,
    })) {
      out.push(new Uint8Array(frame));
    }
  } catch (err) {
    // A later pass that starts past the last frame decodes nothing.
    if (mayBePastEnd && err instanceof MediaError && err.message.startsWith('ffmpeg produced no frames')) return [];
    throw err;
  }
  return out;
}

/**
 * Decodes the frames nearest to the requested times, each at its requested size, in ffmpeg
 * passes (one per 64 frames) that each seek to just before their first frame and stop after
 * their last, so a look at a few seconds of a long recording decodes only those seconds.
 * Frames come out in time order; the largest requested size is decoded and smaller ones are
 * area-averaged down from it.
 */
export async function extractFrames(
  file: string,
  requests: readonly FrameRequest[],
  opts: { sourceFps: number; signal?: AbortSignal },
): Promise<RgbFrame[]> {
  if (requests.length === 0) return [];
  const sorted = [...requests].sort((a, b) => a.t - b.t);
  const big = sorted.reduce((a, r) => (r.width * r.height > a.width * a.height ? r : a));
  const fps = opts.sourceFps > 0 ? opts.sourceFps : 25;
  // Unique source-frame slots: two requests for the same source frame share one decode.
  const slots = [...new Set(sorted.map((r) => Math.round(r.t * fps)))];
  const decoded: Uint8Array[] = [];
  // ffmpeg's expression parser fails on very long select expressions: one pass per chunk of slots.
  for (let i = 0; i < slots.length; i += MAX_SLOTS_PER_PASS) {
    const chunk = slots.slice(i, i + MAX_SLOTS_PER_PASS);
    const got = await decodeSlots(file, chunk, fps, big, opts.signal, i > 0);
    decoded.push(...got);
    // Past the end of the stream fewer frames come out: the rest of the slots are past it too.
    if (got.length < chunk.length) break;
  }
  // rawVideoFrames throws when no frame comes out. Past the end of the stream fewer frames
  // come out: later requests take the last one.
  const slotIndex = new Map(slots.map((n, i) => [n, i]));
  return sorted.map((r) => {
    const slot = slotIndex.get(Math.round(r.t * fps)) as number;
    const src = decoded[Math.min(slot, decoded.length - 1)] as Uint8Array;
    return { ...r, data: resizeRgb(src, big.width, big.height, r.width, r.height) };
  });
}
