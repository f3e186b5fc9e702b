import { nowIso, type DB } from './db.js';

/** A fitted calibrator: points [raw confidence, calibrated] of a non-decreasing map. */
export interface StoredCalibrator {
  modelName: string;
  method: 'isotonic' | 'identity';
  points: [number, number][];
  /** Reviewed segments it was fitted on, and how many of them were right. */
  n: number;
  positives: number;
  fittedAt: string;
}

/** One confidence calibrator per model name; a refit replaces it. */
export class CalibratorsRepo {
  constructor(private readonly db: DB) {}

  get(modelName: string): StoredCalibrator | undefined {
    const row = this.db
      .prepare('SELECT model_name, method, points, n, positives, fitted_at FROM calibrators WHERE model_name = ?')
      .get(modelName) as
      | {
          model_name: string;
          method: StoredCalibrator['method'];
          points: string;
          n: number;
          positives: number;
          fitted_at: string;
        }
      | undefined;
    if (!row) return undefined;
    return {
      modelName: row.model_name,
      method: row.method,
      points: JSON.parse(row.points) as [number, number][],
      n: row.n,
      positives: row.positives,
      fittedAt: row.fitted_at,
    };
  }

  put(c: Omit<StoredCalibrator, 'fittedAt'>): StoredCalibrator {
    const fittedAt = nowIso();
    this.db
      .prepare(
        `INSERT INTO calibrators (model_name, method, points, n, positives, fitted_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (model_name) DO UPDATE SET method = excluded.method, points = excluded.points, n = excluded.n,
           positives = excluded.positives, fitted_at = excluded.fitted_at`,
      )
      .run(c.modelName, c.method, JSON.stringify(c.points), c.n, c.positives, fittedAt);
    return { ...c, fittedAt };
  }
}
