import fs from 'node:fs';
import path from 'node:path';
import type { RecordingsRepo } from './recordings.js';
import { fingerprint } from '../media/files.js';
import { makePoster } from '../media/poster.js';
import { probeVideo } from '../media/probe.js';
import { MediaError } from '../media/tools.js';

/**
 * How a recording's file stands against what the library knew of it: the same content,
 * other content now (re-read and stored), gone, or not readable as a video now (a file still
 * being written, a replacement that is not a video, or the content of another recording).
 */
export type FileState = 'unchanged' | 'changed' | 'missing' | 'unreadable';

export interface FileCheck {
  recordingId: number;
  path: string;
  state: FileState;
  /** What changed, one short phrase each ("duration 6.0 s -> 10.0 s"); empty unless changed. */
  changes: string[];
  /** Why the file could not be read, for 'missing' and 'unreadable'; else null. */
  error: string | null;
}

/** Checks running now, per library and recording: a second check of one recording joins the first. */
const running = new WeakMap<RecordingsRepo, Map<number, Promise<FileCheck>>>();

/**
 * Whether a recording's file changed since the library read it, and if so, reads it again.
 * Size and modification time are compared first (a stat); when either differs (or `force`),
 * the content fingerprint is read. Other content is probed again (duration, frame rate, size,
 * codec), given a new poster and stored under its new fingerprint, its old scans dropped
 * (RecordingsRepo.replaceContent); cached frames were keyed by the old fingerprint, so none of
 * them is used again. A file that is gone or cannot be probed now is left as it was and said so.
 */
export function checkRecordingFile(
  recordings: RecordingsRepo,
  recordingId: number,
  opts: { force?: boolean } = {},
): Promise<FileCheck> {
  let mine = running.get(recordings);
  if (!mine) running.set(recordings, (mine = new Map()));
  const current = mine.get(recordingId);
  if (current) return current;
  const job = check(recordings, recordingId, opts.force === true).finally(() => mine.delete(recordingId));
  mine.set(recordingId, job);
  return job;
}

/**
 * For the jobs that read a recording (scan, ground): its file as it is now, re-read first when
 * it changed. Throws a one-line error when the file is gone or cannot be read.
 */
export async function ensureCurrentFile(recordings: RecordingsRepo, recordingId: number): Promise<FileCheck> {
  const c = await checkRecordingFile(recordings, recordingId);
  if (c.state === 'missing' || c.state === 'unreadable') throw new MediaError(`${c.path}: ${c.error}`);
  return c;
}

async function check(recordings: RecordingsRepo, id: number, force: boolean): Promise<FileCheck> {
  const known = recordings.knownFile(id);
  if (!known) throw new Error(`recording ${id} is not in the library`);
  const result = (state: FileState, error: string | null = null, changes: string[] = []): FileCheck => ({
    recordingId: id,
    path: known.path,
    state,
    changes,
    error,
  });
  const st = fs.statSync(known.path, { throwIfNoEntry: false });
  if (!st) return result('missing', 'the file is gone');
  if (!st.isFile()) return result('missing', 'not a regular file any more');
  if (!force && st.size === known.sizeBytes && known.mtimeMs !== null && st.mtimeMs === known.mtimeMs)
    return result('unchanged');
  let fp: { fingerprint: string; sizeBytes: number };
  try {
    fp = fingerprint(known.path);
  } catch (err) {
    return result('unreadable', oneLine(err));
  }
  if (fp.fingerprint === known.fingerprint) {
    // Touched or copied over with the same bytes: only the time is new.
    if (st.mtimeMs !== known.mtimeMs) recordings.seen(id, st.mtimeMs);
    return result('unchanged');
  }
  const other = recordings.byFingerprint(fp.fingerprint);
  if (other && other.id !== id)
    return result('unreadable', `it now holds the same video as recording ${other.id} (${other.path})`);
  let info;
  try {
    info = await probeVideo(known.path);
  } catch (err) {
    return result('unreadable', oneLine(err));
  }
  let posterPath = known.posterPath;
  if (posterPath !== null) {
    // Posters are named by content: the new one goes beside the old, which is then removed.
    const fresh = path.join(path.dirname(posterPath), `${fp.fingerprint.slice(0, 32)}.jpg`);
    try {
      fs.mkdirSync(path.dirname(fresh), { recursive: true });
      await makePoster(known.path, fresh, Math.min(info.durationS * 0.1, 10));
    } catch (err) {
      return result('unreadable', oneLine(err));
    }
    if (fresh !== posterPath) fs.rmSync(posterPath, { force: true });
    posterPath = fresh;
  }
  const { startS: _startS, ...media } = info;
  recordings.replaceContent(id, {
    ...media,
    fingerprint: fp.fingerprint,
    sizeBytes: fp.sizeBytes,
    // The time seen before reading: a file still being written has moved on, and is read again next time.
    mtimeMs: st.mtimeMs,
    posterPath,
  });
  return result('changed', null, describeChanges(known, { ...media, sizeBytes: fp.sizeBytes }));
}

function describeChanges(
  was: { sizeBytes: number; durationS: number; fps: number; width: number; height: number; codec: string },
  now: { sizeBytes: number; durationS: number; fps: number; width: number; height: number; codec: string },
): string[] {
  const out = ['new content'];
  if (Math.abs(was.durationS - now.durationS) >= 0.05)
    out.push(`duration ${was.durationS.toFixed(1)} s -> ${now.durationS.toFixed(1)} s`);
  if (was.width !== now.width || was.height !== now.height)
    out.push(`picture ${was.width}x${was.height} -> ${now.width}x${now.height}`);
  if (Math.abs(was.fps - now.fps) >= 0.01) out.push(`frame rate ${round(was.fps)} -> ${round(now.fps)} fps`);
  if (was.codec !== now.codec) out.push(`codec ${was.codec} -> ${now.codec}`);
  if (was.sizeBytes !== now.sizeBytes) out.push(`size ${was.sizeBytes} -> ${now.sizeBytes} bytes`);
  return out;
}

const round = (x: number) => String(Math.round(x * 100) / 100);

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unreadable';
}
