import ffmpeg from 'fluent-ffmpeg';
import type { Readable } from 'node:stream';
import { MediaError, lastErrorLine } from './tools.js';

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
  const channels = fmt === 'gray' ? 1 : 3;
  const frameBytes = opts.width * opts.height * channels;
  let stderrTail = '';
  const cmd = ffmpeg(file)
    .inputOptions(['-nostdin', '-hide_banner'])
    .outputOptions([
      '-an',
      '-sn',
      '-vf',
      `fps=${opts.fps},scale=${opts.width}:${opts.height}:flags=area,format=${fmt}`,
      '-pix_fmt',
      fmt,
    ])
    .format('rawvideo')
    .on('stderr', (line: string) => {
      stderrTail = (stderrTail + '\n' + line).slice(-4000);
    });
  const finished = new Promise<Error | null>((resolve) => {
    cmd.on('end', () => resolve(null));
    cmd.on('error', (err: Error) => resolve(err));
  });
  const onAbort = (): void => {
    cmd.kill('SIGKILL');
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const out = cmd.pipe() as Readable;
  const frame = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  let index = 0;
  try {
    for await (const chunk of out as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        chunk.copy(frame, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          yield { index, t: index / opts.fps, width: opts.width, height: opts.height, data: frame };
          index += 1;
          filled = 0;
        }
      }
    }
    const failure = await finished;
    if (opts.signal?.aborted) throw new MediaError('cancelled');
    if (failure) throw new MediaError(`ffmpeg failed: ${lastErrorLine(stderrTail, String(failure))}`);
    if (index === 0) throw new MediaError(`ffmpeg produced no frames: ${lastErrorLine(stderrTail, 'no output')}`);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    cmd.kill('SIGKILL');
  }
}
