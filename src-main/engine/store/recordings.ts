import fs from 'node:fs';
import type { Recording, ScanState } from '../../../src-shared/recordings.js';
import type { MediaInfo } from '../media/probe.js';
import { nowIso, type DB } from './db.js';

interface RecordingRow {
  id: number;
  path: string;
  fingerprint: string;
  size_bytes: number;
  duration_s: number;
  fps: number;
  width: number;
  height: number;
  codec: string;
  created_at: string | null;
  imported_at: string;
  poster_path: string | null;
  scan: ScanState;
}

/** A probed file about to join the library. */
export interface NewRecording extends Omit<MediaInfo, 'startS'> {
  path: string;
  fingerprint: string;
  sizeBytes: number;
  posterPath: string | null;
}

/** What the library last knew of a recording's file, to tell whether it changed since. */
export interface KnownFile {
  id: number;
  path: string;
  fingerprint: string;
  sizeBytes: number;
  /** Modification time when last seen; null when never seen (recordings imported before it was kept). */
  mtimeMs: number | null;
  posterPath: string | null;
  durationS: number;
  fps: number;
  width: number;
  height: number;
  codec: string;
}

/** A recording's file as it is now: its content's fingerprint and size, its time, and what ffprobe read. */
export interface FileContent extends Omit<MediaInfo, 'startS'> {
  fingerprint: string;
  sizeBytes: number;
  mtimeMs: number;
  posterPath: string | null;
}

/** The scan state of a recording: a queued or running job wins over a stored result. */
const SCAN_STATE = `
  CASE
    WHEN EXISTS (SELECT 1 FROM jobs j WHERE j.recording_id = r.id AND j.type = 'scan' AND j.state IN ('queued','running')) THEN 'running'
    WHEN EXISTS (SELECT 1 FROM scans s WHERE s.recording_id = r.id) THEN 'done'
    WHEN EXISTS (SELECT 1 FROM jobs j WHERE j.recording_id = r.id AND j.type = 'scan' AND j.state = 'failed') THEN 'failed'
    ELSE 'none'
  END`;

function toRecording(row: RecordingRow): Recording {
  return {
    id: row.id,
    path: row.path,
    durationS: row.duration_s,
    fps: row.fps,
    width: row.width,
    height: row.height,
    codec: row.codec,
    createdAt: row.created_at,
    importedAt: row.imported_at,
    posterPath: row.poster_path,
    scan: row.scan,
  };
}

/** Recordings in the library. */
export class RecordingsRepo {
  constructor(private readonly db: DB) {}

  /** Inserts a recording; returns its id. Throws on a duplicate path or fingerprint. */
  insert(r: NewRecording): number {
    // The file's time now, so a later change (replaced, or still being written) is noticed.
    const mtimeMs = fs.statSync(r.path, { throwIfNoEntry: false })?.mtimeMs ?? null;
    const info = this.db
      .prepare(
        `INSERT INTO recordings (path, fingerprint, size_bytes, duration_s, fps, width, height, codec, created_at, imported_at, poster_path, mtime_ms)
         VALUES (@path, @fingerprint, @sizeBytes, @durationS, @fps, @width, @height, @codec, @createdAt, @importedAt, @posterPath, @mtimeMs)`,
      )
      .run({ ...r, importedAt: nowIso(), mtimeMs });
    return Number(info.lastInsertRowid);
  }

  /** The content fingerprint of a recording (what caches of its frames are keyed by). */
  fingerprint(id: number): string | undefined {
    const row = this.db.prepare('SELECT fingerprint FROM recordings WHERE id = ?').get(id) as
      { fingerprint: string } | undefined;
    return row?.fingerprint;
  }

  /** What the library last knew of a recording's file. */
  knownFile(id: number): KnownFile | undefined {
    const row = this.db
      .prepare(
        `SELECT id, path, fingerprint, size_bytes AS sizeBytes, mtime_ms AS mtimeMs, poster_path AS posterPath,
                duration_s AS durationS, fps, width, height, codec
         FROM recordings WHERE id = ?`,
      )
      .get(id) as KnownFile | undefined;
    return row;
  }

  /** When a change of the recording's content was last found (ms since the epoch), or null. */
  contentChangedMs(id: number): number | null {
    const row = this.db.prepare('SELECT content_changed_ms AS ms FROM recordings WHERE id = ?').get(id) as
      { ms: number | null } | undefined;
    return row?.ms ?? null;
  }

  /** The file's time as seen now, its content unchanged (same size and fingerprint). */
  seen(id: number, mtimeMs: number): void {
    this.db.prepare('UPDATE recordings SET mtime_ms = ? WHERE id = ?').run(mtimeMs, id);
  }

  /**
   * The recording's file holds other content now: its fingerprint, size, time and what ffprobe
   * read are replaced, and its scans (change points and frame plans of the old content) are
   * dropped in the same transaction, so nothing goes on using them. Frames and features cached
   * under the old fingerprint can no longer be reached and age out of the cache.
   */
  replaceContent(id: number, c: FileContent): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE recordings SET fingerprint = @fingerprint, size_bytes = @sizeBytes, mtime_ms = @mtimeMs,
             duration_s = @durationS, fps = @fps, width = @width, height = @height, codec = @codec,
             created_at = @createdAt, poster_path = @posterPath, content_changed_ms = @changedMs
           WHERE id = @id`,
        )
        .run({ ...c, id, changedMs: Date.now() });
      this.db.prepare('DELETE FROM scans WHERE recording_id = ?').run(id);
    })();
  }

  /** The recording holding this content, if any. */
  byFingerprint(fingerprint: string): { id: number; path: string } | undefined {
    return this.db.prepare('SELECT id, path FROM recordings WHERE fingerprint = ?').get(fingerprint) as
      { id: number; path: string } | undefined;
  }

  /** The recording already holding this path or content, if any. */
  findDuplicate(path: string, fingerprint: string): { id: number; path: string } | undefined {
    return this.db
      .prepare('SELECT id, path FROM recordings WHERE path = ? OR fingerprint = ? LIMIT 1')
      .get(path, fingerprint) as { id: number; path: string } | undefined;
  }

  get(id: number): Recording | undefined {
    const row = this.db.prepare(`SELECT r.*, ${SCAN_STATE} AS scan FROM recordings r WHERE r.id = ?`).get(id) as
      RecordingRow | undefined;
    return row ? toRecording(row) : undefined;
  }

  byPath(path: string): Recording | undefined {
    const row = this.db.prepare(`SELECT r.*, ${SCAN_STATE} AS scan FROM recordings r WHERE r.path = ?`).get(path) as
      RecordingRow | undefined;
    return row ? toRecording(row) : undefined;
  }

  list(): Recording[] {
    const rows = this.db
      .prepare(`SELECT r.*, ${SCAN_STATE} AS scan FROM recordings r ORDER BY r.id`)
      .all() as RecordingRow[];
    return rows.map(toRecording);
  }
}
