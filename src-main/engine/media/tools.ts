import ffmpeg from 'fluent-ffmpeg';
import path from 'node:path';

/** Where ffmpeg and ffprobe come from: TEMPO_FFMPEG (path to ffmpeg) or the system PATH. */
export function configureFfmpeg(ffmpegPath = process.env['TEMPO_FFMPEG']): void {
  if (!ffmpegPath) return;
  ffmpeg.setFfmpegPath(ffmpegPath);
  const probe = path.join(path.dirname(ffmpegPath), process.platform === 'win32' ? 'ffprobe.exe' : 'ffprobe');
  ffmpeg.setFfprobePath(probe);
}

/** A media problem the user can act on: its message is one line and names no stack. */
export class MediaError extends Error {
  override name = 'MediaError';
}

/** The last meaningful line of ffmpeg's stderr, for a one-line error. */
export function lastErrorLine(stderr: string | undefined, fallback: string): string {
  const lines = (stderr ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('Press [q]'));
  const line = lines.at(-1) ?? fallback;
  return line.replace(/^\[[^\]]+\]\s*/, '');
}
