/**
 * The language of library media links, one definition for every side: the renderer builds
 * them, web mode's /media/ route and Electron's tempo-media: protocol read them.
 *
 * A media path is `recording/<id>` (the file, or its playable preview), `poster/<id>[/<version>]`
 * or `thumb/<id>/<seconds>` (a still at that time, to a tenth of a second).
 */

/** Scheme of library media in the Electron window: `tempo-media://recording/3`. */
export const MEDIA_SCHEME = 'tempo-media';
/** Prefix of library media in web mode: `/media/recording/3`. */
export const MEDIA_ROUTE = '/media/';
/** Label of the key media links are signed with in web mode: HMAC-SHA256(token, label). */
export const MEDIA_KEY_LABEL = 'tempo-media-key-v1';

export type MediaRef =
  | { kind: 'recording'; recordingId: number }
  | { kind: 'poster'; recordingId: number; version: string | null }
  | { kind: 'thumb'; recordingId: number; seconds: number };

/** Normalises a media path: the contract gives `recording/<id>`; a leading `/` or `/media/` is tolerated. */
export function mediaPath(path: string): string {
  return path.replace(/^\/+/, '').replace(/^media\//, '');
}

export function recordingPath(recordingId: number): string {
  return `recording/${recordingId}`;
}

/** Media path of a recording's poster; `version` (any word) makes a new URL when the poster changes. */
export function posterPath(recordingId: number, version?: string | number): string {
  return version === undefined ? `poster/${recordingId}` : `poster/${recordingId}/${version}`;
}

/** Media path of a still at `seconds` (to a tenth of a second, so nearby times share one still). */
export function thumbPath(recordingId: number, seconds: number): string {
  return `thumb/${recordingId}/${Math.max(0, seconds).toFixed(1)}`;
}

/** The recording id a media path is about, as written (the part a signed link covers), or undefined. */
export function mediaRecordingId(path: string): string | undefined {
  return mediaPath(path).split('/')[1];
}

/** Reads a media path; null when it is not one of the three forms (or its id or time is not a number). */
export function parseMediaPath(path: string): MediaRef | null {
  const parts = mediaPath(path).split('/').filter(Boolean);
  const id = Number(parts[1]);
  if (!/^\d+$/.test(parts[1] ?? '') || !Number.isSafeInteger(id) || id <= 0) return null;
  if (parts[0] === 'recording' && parts.length === 2) return { kind: 'recording', recordingId: id };
  if (parts[0] === 'poster' && (parts.length === 2 || parts.length === 3))
    return { kind: 'poster', recordingId: id, version: parts[2] ?? null };
  if (parts[0] === 'thumb' && parts.length === 3) {
    const seconds = Number(parts[2]);
    return Number.isFinite(seconds) ? { kind: 'thumb', recordingId: id, seconds } : null;
  }
  return null;
}
