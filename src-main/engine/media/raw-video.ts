import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import {
  MediaError,
  StderrLog,
  ffmpegErrorLine,
  ffmpegFailed,
  ffmpegFailure,
  ffmpegProgram,
  type FfmpegExit,
} from './tools.js';

/** A running ffmpeg whose output goes to a pipe. */
export interface FfmpegProcess {
  /** What ffmpeg writes to pipe:1. Read it to its end, or call stop(). */
  stdout: Readable;
  /**
   * Resolves once the process has exited AND its output and stderr are closed, never before:
   * a process that closed its output is not yet one that succeeded.
   */
  exited: Promise<FfmpegExit>;
  /** Kills it (SIGKILL) if it still runs and stops reading its output; then waits for it to be gone. */
  stop(): Promise<FfmpegExit>;
}

/**
 * Starts ffmpeg with `args` (which end in the output, e.g. 'pipe:1') straight from
 * child_process, not through fluent-ffmpeg: fluent-ffmpeg reports a piped run as failed
 * ("Output stream closed") when the process has not exited 20 ms after its output closed,
 * which a loaded machine easily delays; here the outcome is how the process really ended.
 * `onStderr` gets every stderr line (progress lines end in \r, so they are lines too).
 */
export function startFfmpeg(args: readonly string[], opts: { onStderr?: (line: string) => void } = {}): FfmpegProcess {
  const child = spawn(ffmpegProgram(), [...args], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  const log = new StderrLog();
  let partial = '';
  const take = (line: string): void => {
    opts.onStderr?.(line);
    log.push(line);
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    const lines = (partial + text).split(/\r\n|\r|\n/);
    partial = lines.pop() ?? '';
    for (const line of lines) take(line);
  });
  const exited = new Promise<FfmpegExit>((resolve) => {
    let startError: Error | null = null;
    child.on('error', (err) => {
      // Only a failed start ends it here; an error of a later kill() changes nothing.
      if (child.pid !== undefined) return;
      startError = err;
      resolve({ code: null, signal: null, startError, stderr: [] });
    });
    child.on('close', (code, signal) => {
      if (partial) take(partial);
      partial = '';
      resolve({ code, signal, startError, stderr: log.lines() });
    });
  });
  // A failed start leaves a stream that never ends: end it, so a reader sees no output.
  void exited.then((exit) => {
    if (exit.startError) child.stdout.destroy();
  });
  return {
    stdout: child.stdout,
    exited,
    stop() {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill('SIGKILL');
      child.stdout.destroy();
      return exited;
    },
  };
}

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

/** The ffmpeg arguments of a raw video run: one input, video only, raw frames on pipe:1. */
export function rawVideoArgs(file: string, opts: RawVideoOptions): string[] {
  return [
    '-nostdin',
    '-hide_banner',
    ...(opts.inputOptions ?? []),
    '-i',
    file,
    '-an',
    '-sn',
    '-vf',
    opts.filter,
    '-pix_fmt',
    opts.pixelFormat,
    ...(opts.outputOptions ?? []),
    '-f',
    'rawvideo',
    'pipe:1',
  ];
}

/**
 * Runs ffmpeg with raw video on a pipe and yields whole frames of `frameBytes` bytes, in a
 * buffer reused between frames (copy what you keep). Ends by checking how ffmpeg exited:
 * cancelled, failed (the stderr line naming the problem, and the exit code or signal) or
 * fine. Aborting or leaving the loop kills it, and the generator returns once it is gone.
 */
export async function* rawVideoFrames(file: string, frameBytes: number, opts: RawVideoOptions): AsyncGenerator<Buffer> {
  if (opts.signal?.aborted) throw new MediaError('cancelled');
  const ff = startFfmpeg(rawVideoArgs(file, opts), { onStderr: opts.onStderr });
  const onAbort = (): void => void ff.stop();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const frame = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  let count = 0;
  let readError: unknown = null;
  try {
    try {
      for await (const chunk of ff.stdout as AsyncIterable<Buffer>) {
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
    } catch (err) {
      // The pipe's own error: how ffmpeg ended says more, so that is checked first.
      readError = err;
    }
    const exit = await ff.exited;
    if (opts.signal?.aborted) throw new MediaError('cancelled');
    if (ffmpegFailed(exit)) throw new MediaError(ffmpegFailure(exit));
    if (readError) throw new MediaError(`ffmpeg's output could not be read: ${String(readError)}`);
    if (count === 0) throw new MediaError(`ffmpeg produced no frames: ${ffmpegErrorLine(exit.stderr, 'no output')}`);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await ff.stop();
  }
}
