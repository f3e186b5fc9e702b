import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../engine.js';
import { parseMediaPath } from '../../../src-shared/media-url.js';
import type { Recording } from '../../../src-shared/recordings.js';
import { makeStill } from '../media/poster.js';
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
 * The file behind a media path of the contract (src-shared/media-url.ts), for library
 * recordings only: `recording/<id>` (the file, or its playable preview), `poster/<id>[/<version>]`,
 * `thumb/<id>/<seconds>` (a still made by ffmpeg on first use). Web mode's /media/ route and
 * Electron's tempo-media: protocol both resolve through here; anything else is refused.
 */
export async function resolveMedia(engine: Engine, mediaPath: string): Promise<{ file: string; type: string }> {
  const ref = parseMediaPath(mediaPath);
  if (!ref) throw new MediaRouteError(404, 'no such media');
  const rec = engine.recordings.get(ref.recordingId);
  if (!rec) throw new MediaRouteError(404, 'no such recording in the library');
  if (ref.kind === 'recording') {
    const file = playableFile(engine, rec.id);
    if (!file) throw new MediaRouteError(409, 'this recording cannot be played until its preview is made');
    return { file, type: VIDEO_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream' };
  }
  // The poster's version (any word) only makes a new URL when the poster changes.
  if (ref.kind === 'poster') {
    if (!rec.posterPath) throw new MediaRouteError(404, 'this recording has no poster');
    return { file: rec.posterPath, type: 'image/jpeg' };
  }
  if (ref.seconds < 0 || ref.seconds > rec.durationS) throw new MediaRouteError(400, 'bad time');
  return { file: await thumbnail(engine, rec, ref.seconds), type: 'image/jpeg' };
}

/** Thumbnails being made now, by cache key: concurrent requests for one still share one ffmpeg run. */
const making = new Map<string, Promise<string>>();
/** Data folders whose thumbs/ folder (where stills were kept, unbounded, before the cache held them) was removed. */
const legacyCleared = new Set<string>();

/**
 * The file of a still at `t` (to a tenth of a second) of a recording, kept in the bounded
 * cache under the recording's content fingerprint: a replaced file never shows the old
 * video's stills. Made once per key, however many requests ask at once; the ffmpeg children
 * making stills are bounded (media/limit.ts).
 */
async function thumbnail(engine: Engine, rec: Recording, t: number): Promise<string> {
  if (!legacyCleared.has(engine.paths.thumbs)) {
    legacyCleared.add(engine.paths.thumbs);
    fs.rmSync(engine.paths.thumbs, { recursive: true, force: true });
  }
  const fp = engine.recordings.fingerprint(rec.id) ?? rec.path;
  const key = `thumb\u0000${fp}\u0000${t.toFixed(1)}`;
  const cached = await engine.cache.path(key);
  if (cached) return cached;
  let job = making.get(key);
  if (!job) {
    job = (async () => {
      const jpeg = await makeStill(rec.path, Math.min(t, Math.max(0, rec.durationS - 0.1)));
      if (!(await engine.cache.put(key, [jpeg])))
        throw new MediaRouteError(507, 'not enough free disk space to keep a thumbnail');
      const file = await engine.cache.path(key);
      if (!file) throw new MediaRouteError(503, 'the thumbnail was dropped from the cache at once: try again');
      return file;
    })().finally(() => making.delete(key));
    making.set(key, job);
  }
  return await job;
}
