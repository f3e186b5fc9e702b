import fs from 'node:fs';
import path from 'node:path';
import { VIDEO_EXTENSIONS } from '../../../src-shared/video-files.js';

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The file of a set's video in `dir`: `${video}${ext}` for each video extension (in the
 * order VIDEO_EXTENSIONS lists them, lower then upper case), then the id itself as a file
 * name; ActivityNet ids (`v_abc`) are also tried without their `v_`. Null when none exists.
 */
export function findVideo(dir: string, video: string): string | null {
  if (video.includes('/') || video.includes('\\') || video === '..' || video === '.') return null;
  const names = [video, ...(video.startsWith('v_') ? [video.slice(2)] : [])];
  for (const name of names) {
    for (const ext of VIDEO_EXTENSIONS.flatMap((e) => [e, e.toUpperCase()])) {
      const p = path.join(dir, name + ext);
      if (isFile(p)) return p;
    }
    if (isFile(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}
