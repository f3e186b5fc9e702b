import ffmpeg from 'fluent-ffmpeg';
import type { Readable } from 'node:stream';
import { MediaError, lastErrorLine } from './tools.js';

export interface RawVideoOptions {
  /** Input options after -nostdin -hide_banner (e.g. a seek). */
  inputOptions?: string[];
  /** The video filter chain; it must end in the pixel format. */
  filter: string;
  pixelFormat: 'gray' | 'rgb24';
  /** Extra output options (e.g. -fps_mode passthrough). */
  outputOptions?: string[];
  signal?: AbortSignal;
  /** Each line ffmpeg writes to stderr (e.g. a showinfo filter's frame timestamps). */
  onStderr?: (line: string) => void;
}

/**
 * Runs ffmpeg with raw video on a pipe and yields whole frames of `frameBytes` bytes, in a
 * buffer reused between frames (copy what you keep). Ends by checking how ffmpeg exited:
 * cancelled, failed (one line from its stderr) or fine. Aborting or leaving the loop kills it.
 */
export async function* rawVideoFrames(file: string, frameBytes: number, opts: RawVideoOptions): AsyncGenerator<Buffer> {
  let stderrTail = '';
  const cmd = ffmpeg(file)
    .inputOptions(['-nostdin', '-hide_banner', ...(opts.inputOptions ?? [])])
    .outputOptions(['-an', '-sn', '-vf', opts.filter, '-pix_fmt', opts.pixelFormat, ...(opts.outputOptions ?? [])])
    .format('rawvideo')
    .on('stderr', (line: string) => {
      opts.onStderr?.(line);
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
  const frame = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  let count = 0;
  try {
    for await (const chunk of cmd.pipe() as Readable as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        chunk.copy(frame, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          yield frame;
          count += 1;
          filled = 0;
        }
      }
    }
    const failure = await finished;
    if (opts.signal?.aborted) throw new MediaError('cancelled');
    if (failure) {
      // ffmpeg's last stderr line, and fluent-ffmpeg's own reason (exit code or signal) where that line is another.
      const why = failure.message.split('\n')[0] ?? 'unknown';
      const line = lastErrorLine(stderrTail, why);
      throw new MediaError(`ffmpeg failed: ${line}${line === why ? '' : ` (${why})`}`);
    }
    if (count === 0) throw new MediaError(`ffmpeg produced no frames: ${lastErrorLine(stderrTail, 'no output')}`);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    cmd.kill('SIGKILL');
  }
}
