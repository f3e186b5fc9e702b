import type { ScanResult } from '../../../src-shared/scans.js';
import { nowIso, type DB } from './db.js';

export interface NewScan extends ScanResult {
  jobId: number | null;
  budgetTokens: number;
  /** Analysis settings that, with the budget, identify a scan (stored as canonical JSON). */
  params: Record<string, number | string>;
  analysisFps: number;
  activity: Float32Array;
}

export interface StoredScan extends ScanResult {
  id: number;
  budgetTokens: number;
  analysisFps: number;
  activity: Float32Array;
  createdAt: string;
}

interface ScanRow {
  id: number;
  recording_id: number;
  budget_tokens: number;
  duration_s: number;
  change_points: string;
  frames: string;
  visual_tokens: number;
  uniform_tokens: number;
  analysis_fps: number;
  activity: Buffer;
  warnings: string;
  created_at: string;
}

function toScan(row: ScanRow): StoredScan {
  const bytes = new Uint8Array(row.activity).slice().buffer;
  return {
    id: row.id,
    recordingId: row.recording_id,
    durationS: row.duration_s,
    changePoints: JSON.parse(row.change_points) as number[],
    frames: JSON.parse(row.frames) as ScanResult['frames'],
    visualTokens: row.visual_tokens,
    uniformTokens: row.uniform_tokens,
    budgetTokens: row.budget_tokens,
    analysisFps: row.analysis_fps,
    activity: new Float32Array(bytes),
    warnings: JSON.parse(row.warnings) as string[],
    createdAt: row.created_at,
  };
}

/** SAA results. One row per recording, budget and analysis settings; a rescan replaces it. */
export class ScansRepo {
  constructor(private readonly db: DB) {}

  /** Inserts or replaces the scan for its (recording, budget, params); returns its id. */
  upsert(s: NewScan): number {
    const row = this.db
      .prepare(
        `INSERT INTO scans (recording_id, job_id, budget_tokens, params, duration_s, change_points, frames,
                            visual_tokens, uniform_tokens, analysis_fps, activity, warnings, created_at)
         VALUES (@recordingId, @jobId, @budgetTokens, @params, @durationS, @changePoints, @frames,
                 @visualTokens, @uniformTokens, @analysisFps, @activity, @warnings, @createdAt)
         ON CONFLICT (recording_id, budget_tokens, params) DO UPDATE SET
           job_id = excluded.job_id, duration_s = excluded.duration_s, change_points = excluded.change_points,
           frames = excluded.frames, visual_tokens = excluded.visual_tokens, uniform_tokens = excluded.uniform_tokens,
           analysis_fps = excluded.analysis_fps, activity = excluded.activity, warnings = excluded.warnings, created_at = excluded.created_at
         RETURNING id`,
      )
      .get({
        recordingId: s.recordingId,
        jobId: s.jobId,
        budgetTokens: s.budgetTokens,
        params: JSON.stringify(s.params, Object.keys(s.params).sort()),
        durationS: s.durationS,
        changePoints: JSON.stringify(s.changePoints),
        frames: JSON.stringify(s.frames),
        visualTokens: s.visualTokens,
        uniformTokens: s.uniformTokens,
        analysisFps: s.analysisFps,
        activity: Buffer.from(s.activity.buffer, s.activity.byteOffset, s.activity.byteLength),
        warnings: JSON.stringify(s.warnings),
        createdAt: nowIso(),
      }) as { id: number };
    return row.id;
  }

  /** The newest scan of a recording, optionally for one budget. */
  latest(recordingId: number, budgetTokens?: number): StoredScan | undefined {
    const row = (
      budgetTokens === undefined
        ? this.db
            .prepare('SELECT * FROM scans WHERE recording_id = ? ORDER BY created_at DESC, id DESC LIMIT 1')
            .get(recordingId)
        : this.db
            .prepare(
              'SELECT * FROM scans WHERE recording_id = ? AND budget_tokens = ? ORDER BY created_at DESC, id DESC LIMIT 1',
            )
            .get(recordingId, budgetTokens)
    ) as ScanRow | undefined;
    return row ? toScan(row) : undefined;
  }

  byJob(jobId: number): StoredScan | undefined {
    const row = this.db.prepare('SELECT * FROM scans WHERE job_id = ?').get(jobId) as ScanRow | undefined;
    return row ? toScan(row) : undefined;
  }

  count(recordingId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM scans WHERE recording_id = ?').get(recordingId) as { n: number })
      .n;
  }
}
