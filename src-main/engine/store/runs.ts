import { nowIso, type DB } from './db.js';

export interface NewRun {
  query: string;
  /** The query row this run answers (a query over several recordings); a new one when absent. */
  queryId?: number;
  recordingId: number;
  modelName: string;
  device: string;
  scanId: number | null;
  /** The ground job that made it (one job, one run). */
  jobId: number | null;
  /** The query job that made it, one run per recording (a query job's runs leave `jobId` null). */
  queryJobId?: number;
  windowPlan: unknown;
  settings: unknown;
  refused: boolean;
  timings: unknown;
  /** `confidence` is what the operator sees (calibrated when a calibrator applies); `rawConfidence` the model's own. */
  segments: { startS: number; endS: number; confidence: number; rawConfidence?: number }[];
}

export interface StoredRun {
  id: number;
  query: string;
  recordingId: number;
  modelName: string;
  device: string;
  refused: boolean;
  timings: Record<string, unknown>;
  /** How the run was asked (model folder or servers, samples, profile...), as ground-job.ts stores it. */
  settings: Record<string, unknown>;
  segments: { id: number; startS: number; endS: number; confidence: number; rank: number }[];
}

/** Grounding runs: the query, the run's settings and window plan, and its ranked segments. */
export class RunsRepo {
  constructor(private readonly db: DB) {}

  /** Writes a run with its query and segments; call inside the job's finishing transaction. */
  insert(r: NewRun): number {
    const now = nowIso();
    const queryId = r.queryId ?? this.createQuery(r.query);
    const runId = Number(
      this.db
        .prepare(
          `INSERT INTO runs (query_id, recording_id, model_name, device, scan_id, job_id, query_job_id, window_plan,
             settings, refused, timings, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          queryId,
          r.recordingId,
          r.modelName,
          r.device,
          r.scanId,
          r.jobId,
          r.queryJobId ?? null,
          JSON.stringify(r.windowPlan),
          JSON.stringify(r.settings),
          r.refused ? 1 : 0,
          JSON.stringify(r.timings),
          now,
        ).lastInsertRowid,
    );
    const seg = this.db.prepare(
      `INSERT INTO segments (run_id, query_id, recording_id, start_s, end_s, confidence, raw_confidence, rank, source, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'model', ?)`,
    );
    r.segments.forEach((s, i) =>
      seg.run(
        runId,
        queryId,
        r.recordingId,
        s.startS,
        s.endS,
        s.confidence,
        s.rawConfidence ?? s.confidence,
        i + 1,
        now,
      ),
    );
    return runId;
  }

  /** A new query row; the runs of a query over several recordings share it. */
  createQuery(text: string): number {
    return Number(
      this.db.prepare('INSERT INTO queries (text, created_at) VALUES (?, ?)').run(text, nowIso()).lastInsertRowid,
    );
  }

  query(id: number): { id: number; text: string; createdAt: string } | undefined {
    return this.db.prepare('SELECT id, text, created_at AS createdAt FROM queries WHERE id = ?').get(id) as
      { id: number; text: string; createdAt: string } | undefined;
  }

  queries(limit = 100): { id: number; text: string; createdAt: string }[] {
    return this.db
      .prepare('SELECT id, text, created_at AS createdAt FROM queries ORDER BY id DESC LIMIT ?')
      .all(limit) as { id: number; text: string; createdAt: string }[];
  }

  /** A query's runs, oldest first, each with its window plan, settings and the job that made it (ground or query). */
  byQuery(queryId: number): {
    id: number;
    recordingId: number;
    jobId: number | null;
    modelName: string;
    device: string;
    refused: boolean;
    windowPlan: unknown;
    settings: Record<string, unknown>;
  }[] {
    const rows = this.db
      .prepare(
        `SELECT id, recording_id, COALESCE(job_id, query_job_id) AS job_id, model_name, device, refused, window_plan,
           settings
         FROM runs WHERE query_id = ? ORDER BY id`,
      )
      .all(queryId) as {
      id: number;
      recording_id: number;
      job_id: number | null;
      model_name: string;
      device: string;
      refused: number;
      window_plan: string;
      settings: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      recordingId: r.recording_id,
      jobId: r.job_id,
      modelName: r.model_name,
      device: r.device,
      refused: r.refused === 1,
      windowPlan: JSON.parse(r.window_plan) as unknown,
      settings: JSON.parse(r.settings) as Record<string, unknown>,
    }));
  }

  get(id: number): StoredRun | undefined {
    const row = this.db
      .prepare(
        `SELECT r.id, q.text AS query, r.recording_id, r.model_name, r.device, r.refused, r.timings, r.settings
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
          settings: string;
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
      settings: JSON.parse(row.settings) as Record<string, unknown>,
      segments,
    };
  }

  /** The runs a query job wrote so far, one per recording, in the order it wrote them. */
  byQueryJob(jobId: number): { id: number; recordingId: number }[] {
    return this.db
      .prepare('SELECT id, recording_id AS recordingId FROM runs WHERE query_job_id = ? ORDER BY id')
      .all(jobId) as { id: number; recordingId: number }[];
  }

  byJob(jobId: number): StoredRun | undefined {
    const row = this.db.prepare('SELECT id FROM runs WHERE job_id = ?').get(jobId) as { id: number } | undefined;
    return row ? this.get(row.id) : undefined;
  }
}
