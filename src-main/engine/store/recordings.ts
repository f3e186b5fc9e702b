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
    const info = this.db
      .prepare(
        `INSERT INTO recordings (path, fingerprint, size_bytes, duration_s, fps, width, height, codec, created_at, imported_at, poster_path)
         VALUES (@path, @fingerprint, @sizeBytes, @durationS, @fps, @width, @height, @codec, @createdAt, @importedAt, @posterPath)`,
      )
      .run({ ...r, importedAt: nowIso() });
    return Number(info.lastInsertRowid);
  }

  /** The recording already holding this path or content, if any. */
  /** The content fingerprint of a recording (what caches of its frames are keyed by). */
  fingerprint(id: number): string | undefined {
    const row = this.db.prepare('SELECT fingerprint FROM recordings WHERE id = ?').get(id) as
      { fingerprint: string } | undefined;
    return row?.fingerprint;
  }

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
