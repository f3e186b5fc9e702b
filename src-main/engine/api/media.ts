import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../engine.js';
import { makePoster } from '../media/poster.js';
import { playableFile } from './detail.js';

/** Why a media path cannot be served, with the HTTP status it maps to. */
export class MediaRouteError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const VIDEO_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
};

/**
 * The file behind a media path of the contract, for library recordings only:
 * `recording/<id>` (the file, or its playable preview), `poster/<id>`, `thumb/<id>/<seconds>`
 * (a still made by ffmpeg on first use). Web mode's /media/ route and Electron's
 * tempo-media: protocol both resolve through here; anything else is refused.
 */
export async function resolveMedia(engine: Engine, mediaPath: string): Promise<{ file: string; type: string }> {
  const parts = mediaPath.split('/').filter(Boolean);
  const id = Number(parts[1]);
  const rec = Number.isInteger(id) && id > 0 ? engine.recordings.get(id) : undefined;
  if (!rec) throw new MediaRouteError(404, 'no such recording in the library');
  if (parts[0] === 'recording' && parts.length === 2) {
    const file = playableFile(engine, id);
    if (!file) throw new MediaRouteError(409, 'this recording cannot be played until its preview is made');
    return { file, type: VIDEO_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream' };
  }
  if (parts[0] === 'poster' && parts.length === 2) {
    if (!rec.posterPath) throw new MediaRouteError(404, 'this recording has no poster');
    return { file: rec.posterPath, type: 'image/jpeg' };
  }
  if (parts[0] === 'thumb' && parts.length === 3) {
    const t = Number(parts[2]);
    if (!Number.isFinite(t) || t < 0 || t > rec.durationS) throw new MediaRouteError(400, 'bad time');
    const file = path.join(engine.paths.thumbs, `${id}-${t.toFixed(1)}.jpg`);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(engine.paths.thumbs, { recursive: true });
      await makePoster(rec.path, file, Math.min(t, Math.max(0, rec.durationS - 0.1)));
    }
    return { file, type: 'image/jpeg' };
  }
  throw new MediaRouteError(404, 'no such media');
}

/** One byte range of a file of `size` bytes from a Range header; null for the whole file, 'bad' when unsatisfiable. */
export function byteRange(
  header: string | undefined | null,
  size: number,
): { start: number; end: number } | null | 'bad' {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!m || (!m[1] && !m[2])) return null;
  let start = m[1] ? Number(m[1]) : size - Number(m[2]);
  let end = m[1] && m[2] ? Number(m[2]) : size - 1;
  start = Math.max(0, start);
  end = Math.min(end, size - 1);
  if (start > end || start >= size) return 'bad';
  return { start, end };
}
