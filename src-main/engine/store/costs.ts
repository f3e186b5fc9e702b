import { nowIso, type DB } from './db.js';

/**
 * What work costs on this machine, as rates a finished run measured (each null where it
 * measured nothing): model time per visual token of the recording's scan plan (the vision
 * encoder, prefill, answers, refusal scores and the boundaries' second look, all of it at the
 * run's samples), frame decoding per minute of footage (ffmpeg, less where frames came from
 * the cache), and the SAA scan per minute of footage.
 */
export interface CostRates {
  tokenMs: number | null;
  decodeMsPerMin: number | null;
  scanMsPerMin: number | null;
}

export interface StoredCost extends CostRates {
  model: string;
  device: string;
  /** How many runs the rates fold in. */
  runs: number;
  updatedAt: string;
}

/** What a finished ground run says about its cost: its own timings, never a clock read elsewhere. */
export interface RunMeasure {
  /** The pipeline's whole time and its frame decoding (grounding/pipeline.ts timings). */
  totalMs: number;
  decodeMs: number;
  /** Visual tokens of the frame plan it ran on (the sum of the scan's planned frames). */
  plannedTokens: number;
  durationS: number;
  /** Time of the scan it made first; null or absent when it used a stored one. */
  scanMs?: number | null;
}

/** Weight of the latest run in each rate: an average weighted toward it (the first run is taken as it is). */
export const COST_ALPHA = 0.5;
/** The SAA scan needs no model: its cost is kept under this model name, on the CPU. */
export const SCAN_MODEL = '';
export const SCAN_DEVICE = 'cpu';

const rate = (ms: number, per: number): number | null =>
  Number.isFinite(ms) && ms >= 0 && Number.isFinite(per) && per > 0 ? ms / per : null;

/** The rates a run measured. */
export function measuredRates(m: RunMeasure): CostRates {
  const minutes = m.durationS / 60;
  return {
    tokenMs: rate(Math.max(0, m.totalMs - m.decodeMs), m.plannedTokens),
    decodeMsPerMin: rate(m.decodeMs, minutes),
    scanMsPerMin: m.scanMs === undefined || m.scanMs === null ? null : rate(m.scanMs, minutes),
  };
}

/** One rate folded: the measure where none was stored, the stored one where none was measured. */
function fold(stored: number | null, measured: number | null): number | null {
  if (measured === null) return stored;
  if (stored === null) return measured;
  return COST_ALPHA * measured + (1 - COST_ALPHA) * stored;
}

interface CostRow {
  model: string;
  device: string;
  token_ms: number | null;
  decode_ms_per_min: number | null;
  scan_ms_per_min: number | null;
  runs: number;
  updated_at: string;
}

function toCost(r: CostRow): StoredCost {
  return {
    model: r.model,
    device: r.device,
    tokenMs: r.token_ms,
    decodeMsPerMin: r.decode_ms_per_min,
    scanMsPerMin: r.scan_ms_per_min,
    runs: r.runs,
    updatedAt: r.updated_at,
  };
}

/** The share of their frame plans' visual tokens that earlier two-stage runs sent their refining backend. */
export interface StageShare {
  /** (refine + audit) planned tokens over the full plans' (runs' `stages.planned`), weighted by tokens. */
  share: number;
  runs: number;
}

/** How many of the latest two-stage runs a share is taken over. */
export const SHARE_RUNS = 50;

/** Measured costs per model and device, each refined by every run that finishes. */
export class CostsRepo {
  constructor(private readonly db: DB) {}

  get(model: string, device: string): StoredCost | undefined {
    const row = this.db.prepare('SELECT * FROM costs WHERE model = ? AND device = ?').get(model, device) as
      CostRow | undefined;
    return row ? toCost(row) : undefined;
  }

  /** The SAA scan's cost here, whichever run measured it. */
  scan(): StoredCost | undefined {
    return this.get(SCAN_MODEL, SCAN_DEVICE);
  }

  /**
   * What the latest two-stage runs with this candidate model, threshold and audit share sent
   * their second stage, as a share of their plans (jobs/two-stage-cost.ts); undefined when none
   * recorded it yet.
   */
  stageShare(candidate: string, refineBelow: number, auditShare: number): StageShare | undefined {
    const row = this.db
      .prepare(
        `SELECT count(*) AS runs, sum(full) AS full, sum(sent) AS sent FROM (
           SELECT json_extract(settings, '$.stages.planned.full') AS full,
                  json_extract(settings, '$.stages.planned.refine') + json_extract(settings, '$.stages.planned.audit') AS sent
           FROM runs
           WHERE json_extract(settings, '$.stages.candidate.model') = ?
             AND json_extract(settings, '$.stages.candidate.refineBelow') = ?
             AND json_extract(settings, '$.stages.audit.share') = ?
             AND json_extract(settings, '$.stages.planned.full') > 0
           ORDER BY id DESC LIMIT ?)`,
      )
      .get(candidate, refineBelow, auditShare, SHARE_RUNS) as {
      runs: number;
      full: number | null;
      sent: number | null;
    };
    if (row.runs === 0 || !row.full) return undefined;
    return { share: (row.sent ?? 0) / row.full, runs: row.runs };
  }

  /** Folds one run's rates into the model and device's; returns them as stored now. */
  record(model: string, device: string, measured: CostRates): StoredCost {
    return this.db.transaction(() => {
      const was = this.get(model, device);
      const next = {
        model,
        device,
        tokenMs: fold(was?.tokenMs ?? null, measured.tokenMs),
        decodeMsPerMin: fold(was?.decodeMsPerMin ?? null, measured.decodeMsPerMin),
        scanMsPerMin: fold(was?.scanMsPerMin ?? null, measured.scanMsPerMin),
        runs: (was?.runs ?? 0) + 1,
        updatedAt: nowIso(),
      };
      this.db
        .prepare(
          `INSERT INTO costs (model, device, token_ms, decode_ms_per_min, scan_ms_per_min, runs, updated_at)
           VALUES (@model, @device, @tokenMs, @decodeMsPerMin, @scanMsPerMin, @runs, @updatedAt)
           ON CONFLICT (model, device) DO UPDATE SET token_ms = excluded.token_ms,
             decode_ms_per_min = excluded.decode_ms_per_min, scan_ms_per_min = excluded.scan_ms_per_min,
             runs = excluded.runs, updated_at = excluded.updated_at`,
        )
        .run(next);
      return next;
    })();
  }

  /** Folds a finished ground run: its model's rates, and the scan's where it scanned first. */
  recordRun(model: string, device: string, measure: RunMeasure): StoredCost {
    const rates = measuredRates(measure);
    if (rates.scanMsPerMin !== null) this.recordScan(rates.scanMsPerMin);
    return this.record(model, device, { ...rates, scanMsPerMin: null });
  }

  /** Folds a scan's time per minute of footage (a scan job, or a ground job that scanned first). */
  recordScan(scanMsPerMin: number): StoredCost {
    return this.record(SCAN_MODEL, SCAN_DEVICE, { tokenMs: null, decodeMsPerMin: null, scanMsPerMin });
  }
}
