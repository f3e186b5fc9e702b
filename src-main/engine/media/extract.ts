import fs from 'node:fs';
import { probeVideo } from './probe.js';
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
/** Seconds a pass seeks back before its first slot: a keyframe is nearly always that close. */
const SEEK_BACK_S = 2;
/** Seconds the second try for slots a pass lost seeks back (a recording with long keyframe intervals). */
const RETRY_SEEK_BACK_S = 30;

/**
 * Where a file's timestamps start, and how long it lasts, read once per file as it is: its
 * size, modification and change times and inode, so a file replaced or still growing is read again.
 */
const timelines = new Map<string, Promise<{ startS: number; durationS: number }>>();

function timeline(file: string): Promise<{ startS: number; durationS: number }> {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  const key = [file, st?.size ?? 0, st?.mtimeMs ?? 0, st?.ctimeMs ?? 0, st?.ino ?? 0].join('\u0000');
  let t = timelines.get(key);
  if (!t) {
    t = probeVideo(file).then((info) => ({ startS: info.startS, durationS: info.durationS }));
    timelines.set(key, t);
    t.catch(() => timelines.delete(key));
  }
  return t;
}

const PTS_TIME = /Parsed_showinfo.*\bpts_time:\s*(-?[\d.]+)/;

/**
 * One ffmpeg pass: seeks `seekBackS` before the first slot, decodes the slots' frames at
 * `size` and stops reading the file just after the last one. Each frame is placed by its
 * own timestamp (showinfo), so a frame lost to a seek that landed between keyframes leaves
 * its slot empty rather than shifting the others. `startS` is where the file's timestamps
 * start (-copyts keeps them, e.g. 1.4 s in an MPEG-TS file).
 */
async function decodeSlots(
  file: string,
  slots: readonly number[],
  fps: number,
  size: { width: number; height: number },
  at: { startS: number; seekBackS: number },
  signal: AbortSignal | undefined,
): Promise<Map<number, Uint8Array>> {
  const half = 0.5 / fps;
  const seek = Math.max(0, (slots[0] as number) / fps - at.seekBackS);
  // Read no further than just past the last slot: ffmpeg holds its last selected frame back
  // until the input ends, so without the limit a look at a few seconds waits for the whole rest
  // of the file to be decoded.
  const read = (slots.at(-1) as number) / fps + 1 - seek;
  const terms = slots.map((n) => {
    const t = at.startS + n / fps;
    return `between(t\\,${(t - half).toFixed(4)}\\,${(t + half - 1e-4).toFixed(4)})`;
  });
  const frames: Uint8Array[] = [];
  const times: number[] = [];
  try {
    for await (const frame of rawVideoFrames(file, size.width * size.height * 3, {
      inputOptions: ['-ss', seek.toFixed(3), '-t', read.toFixed(3), '-copyts'],
      filter: `select='${terms.join('+')}',showinfo,scale=${size.width}:${size.height}:flags=area,format=rgb24`,
      pixelFormat: 'rgb24',
      outputOptions: ['-fps_mode', 'passthrough'],
      signal,
      onStderr: (line) => {
        const m = PTS_TIME.exec(line);
        if (m) times.push(Number(m[1]));
      },
    })) {
      frames.push(new Uint8Array(frame));
    }
  } catch (err) {
    // A pass past the last frame, or one whose frames all fell before the first keyframe, decodes nothing.
    if (err instanceof MediaError && err.message.startsWith('ffmpeg produced no frames')) return new Map();
    throw err;
  }
  const wanted = new Set(slots);
  const got = new Map<number, Uint8Array>();
  frames.forEach((data, i) => {
    // Without a timestamp for every frame, they can only be taken in order.
    const n = times.length === frames.length ? Math.round(((times[i] as number) - at.startS) * fps) : slots[i];
    if (n !== undefined && wanted.has(n) && !got.has(n)) got.set(n, data);
  });
  return got;
}

/** The frame of the decoded slot nearest to `n`, the earlier one on a tie. */
function nearest(got: ReadonlyMap<number, Uint8Array>, n: number): Uint8Array {
  let best: number | null = null;
  for (const k of got.keys()) if (best === null || Math.abs(k - n) < Math.abs(best - n)) best = k;
  return got.get(best as number) as Uint8Array;
}

/**
 * Decodes the frames nearest to the requested times (seconds from the recording's first
 * frame), each at its requested size, in ffmpeg passes (one per 64 frames) that each seek
 * to just before their first frame and stop after their last, so a look at a few seconds of
 * a long recording decodes only those seconds. Slots a pass lost (a seek that landed far
 * from a keyframe) are decoded again from further back; a time past the last frame gets the
 * nearest frame there is. Frames come out in time order; the largest requested size is
 * decoded and smaller ones are area-averaged down from it.
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
  const { startS, durationS } = await timeline(file);
  // Unique source-frame slots: two requests for the same source frame share one decode.
  const slots = [...new Set(sorted.map((r) => Math.round(r.t * fps)))];
  // Slots past the end have no frame of their own: they take the last one.
  const inside = slots.filter((n) => n / fps < durationS);
  const got = new Map<number, Uint8Array>();
  const decode = async (wanted: readonly number[], seekBackS: number) => {
    // ffmpeg's expression parser fails on very long select expressions: one pass per chunk of slots.
    for (let i = 0; i < wanted.length; i += MAX_SLOTS_PER_PASS) {
      const pass = await decodeSlots(
        file,
        wanted.slice(i, i + MAX_SLOTS_PER_PASS),
        fps,
        big,
        { startS, seekBackS },
        opts.signal,
      );
      for (const [n, data] of pass) got.set(n, data);
    }
  };
  await decode(inside, SEEK_BACK_S);
  // The last frame may end a little before the duration says: only a loss before it is retried.
  const lost = inside.filter((n) => !got.has(n) && n / fps < durationS - 0.5);
  if (lost.length > 0) await decode(lost, RETRY_SEEK_BACK_S);
  if (got.size === 0) {
    // Nothing inside the recording decoded: try its very first frame before giving up.
    await decode([0], 0);
    if (got.size === 0) throw new MediaError('ffmpeg produced no frames: the video could not be decoded');
  }
  return sorted.map((r) => {
    const n = Math.round(r.t * fps);
    const src = got.get(n) ?? nearest(got, n);
    return { ...r, data: resizeRgb(src, big.width, big.height, r.width, r.height) };
  });
}
