import { rawVideoFrames } from './raw-video.js';

export interface RawFrame {
  /** Index of the frame in the sampled stream. */
  index: number;
  /** Time of the frame in seconds from the start of the recording. */
  t: number;
  width: number;
  height: number;
  /** Pixels, row-major: one byte per pixel for 'gray', three for 'rgb24'. Reused: copy to keep. */
  data: Uint8Array;
}

export interface FrameStreamOptions {
  /** Sampling rate of the stream, frames per second. */
  fps: number;
  width: number;
  height: number;
  pixelFormat?: 'gray' | 'rgb24';
  signal?: AbortSignal;
}

/**
 * Streams frames sampled at a fixed rate out of ffmpeg as raw pixels through a pipe.
 * Memory is one frame plus the pipe's buffer, however long the recording is.
 * Breaking out of the loop or aborting the signal kills ffmpeg.
 */
export async function* streamFrames(file: string, opts: FrameStreamOptions): AsyncGenerator<RawFrame> {
  const fmt = opts.pixelFormat ?? 'gray';
  const frameBytes = opts.width * opts.height * (fmt === 'gray' ? 1 : 3);
  let index = 0;
  for await (const data of rawVideoFrames(file, frameBytes, {
    filter: `fps=${opts.fps},scale=${opts.width}:${opts.height}:flags=area,format=${fmt}`,
    pixelFormat: fmt,
    signal: opts.signal,
  })) {
    yield { index, t: index / opts.fps, width: opts.width, height: opts.height, data };
    index += 1;
  }
}
