import ffmpeg from 'fluent-ffmpeg';
import fs from 'node:fs';
import path from 'node:path';
import { removeAbandonedTemps, tempNameFor } from './temp.js';
import { MediaError, lastErrorLine } from './tools.js';

/** Video codecs a Chromium window plays in an MP4, WebM or Matroska file. */
const PLAYABLE_CODECS = new Set(['h264', 'vp8', 'vp9', 'av1']);
const PLAYABLE_CONTAINERS = new Set(['.mp4', '.m4v', '.mov', '.webm', '.mkv']);

/** Whether the window can play the file as it is (else it needs a preview). */
export function isPlayable(file: string, codec: string): boolean {
  const ext = file.slice(file.lastIndexOf('.')).toLowerCase();
  return PLAYABLE_CODECS.has(codec) && PLAYABLE_CONTAINERS.has(ext);
}

/** ffmpeg output options of a preview: the video copied when its codec plays, else H.264; AAC audio; fast start. */
function previewOptions(codec: string | undefined, fps: number): string[] {
  return [
    '-map',
    '0:v:0',
    '-map',
    '0:a:0?',
    ...(codec !== undefined && PLAYABLE_CODECS.has(codec)
      ? ['-c:v', 'copy']
      : [
          '-c:v',
          'libx264',
          '-preset',
          'veryfast',
          '-crf',
          '23',
          '-pix_fmt',
          'yuv420p',
          ...(fps > 0 ? ['-r', String(fps)] : []),
        ]),
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-movflags',
    '+faststart',
    '-y',
  ];
}

interface PreviewOptions {
  durationS: number;
  fps: number;
  /** The recording's video codec: a playable one is copied, not encoded again. */
  codec?: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** Runs ffmpeg from `file` into `tmp`, reporting progress from its time= lines; `stderr` gets its last lines. */
function runPreview(file: string, tmp: string, opts: PreviewOptions, stderr: { tail: string }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cmd = ffmpeg(file)
      .inputOptions(['-nostdin', '-hide_banner'])
      .outputOptions(previewOptions(opts.codec, opts.fps))
      .output(tmp)
      .on('stderr', (line: string) => {
        stderr.tail = (stderr.tail + '\n' + line).slice(-4000);
        const m = /time=(\d+):(\d+):(\d+(?:\.\d+)?)/.exec(line);
        if (m && opts.durationS > 0) {
          const t = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
          opts.onProgress?.(Math.min(1, t / opts.durationS));
        }
      })
      .on('end', () => resolve())
      .on('error', (err: Error) => reject(err));
    const abort = () => cmd.kill('SIGKILL');
    if (opts.signal?.aborted) return reject(new Error('cancelled'));
    opts.signal?.addEventListener('abort', abort, { once: true });
    cmd.run();
  });
}

/**
 * Makes a playable MP4 (fast start, same frame rate and duration) of a recording the window
 * cannot play, atomically: a video the window can decode (H.264 in MPEG-TS, as recorders
 * write it) is copied into the new container, anything else is encoded to H.264. Progress is
 * the share of `durationS` done.
 */
export async function makePreview(file: string, outFile: string, opts: PreviewOptions): Promise<void> {
  // Temporary files of a preview job killed with its process are removed before a new one starts.
  removeAbandonedTemps(path.dirname(outFile));
  const tmp = tempNameFor(outFile, '.mp4');
  const stderr = { tail: '' };
  try {
    await runPreview(file, tmp, opts, stderr);
    if (!fs.existsSync(tmp) || fs.statSync(tmp).size === 0) throw new MediaError('the preview came out empty');
    fs.renameSync(tmp, outFile);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    if (opts.signal?.aborted) throw new Error('cancelled');
    if (err instanceof MediaError) throw err;
    throw new MediaError(`cannot make a playable preview: ${lastErrorLine(stderr.tail, String(err))}`);
  }
}
