import { nowIso, type DB } from './db.js';

export interface NewRun {
  query: string;
  recordingId: number;
  modelName: string;
  device: string;
  scanId: number | null;
  jobId: number | null;
  windowPlan: unknown;
  settings: unknown;
  refused: boolean;
  timings: unknown;
  segments: { startS: number; endS: number; confidence: number }[];
}

export interface StoredRun {
  id: number;
  query: string;
  recordingId: number;
  modelName: string;
  device: string;
  refused: boolean;
  timings: Record<string, unknown>;
  segments: { id: number; startS: number; endS: number; confidence: number; rank: number }[];
}

/** Grounding runs: the query, the run's settings and window plan, and its ranked segments. */
export class RunsRepo {
  constructor(private readonly db: DB) {}

  /** Writes a run with its query and segments; call inside the job's finishing transaction. */
  insert(r: NewRun): number {
    const now = nowIso();
    const queryId = Number(
      this.db.prepare('INSERT INTO queries (text, created_at) VALUES (?, ?)').run(r.query, now).lastInsertRowid,
    );
    const runId = Number(
      this.db
        .prepare(
          `INSERT INTO runs (query_id, recording_id, model_name, device, scan_id, job_id, window_plan, settings, refused, timings, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          queryId,
          r.recordingId,
          r.modelName,
          r.device,
          r.scanId,
          r.jobId,
          JSON.stringify(r.windowPlan),
          JSON.stringify(r.settings),
          r.refused ? 1 : 0,
          JSON.stringify(r.timings),
          now,
        ).lastInsertRowid,
    );
    const seg = this.db.prepare(
      `INSERT INTO segments (run_id, query_id, recording_id, start_s, end_s, confidence, rank, source, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'model', ?)`,
    );
    r.segments.forEach((s, i) => seg.run(runId, queryId, r.recordingId, s.startS, s.endS, s.confidence, i + 1, now));
    return runId;
  }

  get(id: number): StoredRun | undefined {
    const row = this.db
      .prepare(
        `SELECT r.id, q.text AS query, r.recording_id, r.model_name, r.device, r.refused, r.timings
         FROM runs r JOIN queries q ON q.id = r.query_id WHERE r.id = ?`,
      )
      .get(id) as
      | {
          id: number;
          query: string;
          recording_id: number;
          model_name: string;
          device: string;
          refused: number;
          timings: string;
        }
      | undefined;
    if (!row) return undefined;
    const segments = this.db
      .prepare(
        'SELECT id, start_s AS startS, end_s AS endS, confidence, rank FROM segments WHERE run_id = ? ORDER BY rank',
      )
      .all(id) as StoredRun['segments'];
    return {
      id: row.id,
      query: row.query,
      recordingId: row.recording_id,
      modelName: row.model_name,
      device: row.device,
      refused: row.refused === 1,
      timings: JSON.parse(row.timings) as Record<string, unknown>,
      segments,
    };
  }

  byJob(jobId: number): StoredRun | undefined {
    const row = this.db.prepare('SELECT id FROM runs WHERE job_id = ?').get(jobId) as { id: number } | undefined;
    return row ? this.get(row.id) : undefined;
  }
}
