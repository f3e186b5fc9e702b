import type { Job } from '../../../src-shared/jobs.js';
import type { Recording } from '../../../src-shared/recordings.js';
import { DEFAULT_SCAN_BUDGET, type ScanResult } from '../../../src-shared/scans.js';
import type { Engine } from '../engine.js';
import { scanDedupeKey, type ScanPayload } from '../jobs/scan-job.js';
import type { StoredScan } from '../store/scans.js';
import { JobFailedError, UsageError } from '../errors.js';
import { refreshRecordings } from './refresh.js';
import { runJob } from './run-job.js';

export interface ScanOptions {
  budgetTokens?: number;
  /** Scan again even when a result for this budget exists. */
  force?: boolean;
  /** Called once the job exists, so the caller can show or cancel it. */
  onJob?: (job: Job) => void;
}

export function toScanResult(s: StoredScan): ScanResult {
  const { recordingId, durationS, changePoints, frames, visualTokens, uniformTokens, warnings } = s;
  return { recordingId, durationS, changePoints, frames, visualTokens, uniformTokens, warnings };
}

/** The smallest and largest budgets a scan accepts. */
export const MIN_BUDGET = 256;
export const MAX_BUDGET = 10_000_000;

export function checkBudget(budget: number): number {
  if (!Number.isInteger(budget) || budget < MIN_BUDGET || budget > MAX_BUDGET) {
    throw new UsageError(`--budget must be a whole number of tokens from ${MIN_BUDGET} to ${MAX_BUDGET}`);
  }
  return budget;
}

/**
 * Scans a recording as a job (or joins the job already scanning it) and returns the stored result.
 * A job left behind by a crash is picked up here and finishes.
 */
export async function scanRecording(engine: Engine, rec: Recording, opts: ScanOptions = {}): Promise<ScanResult> {
  const budgetTokens = checkBudget(opts.budgetTokens ?? DEFAULT_SCAN_BUDGET);
  // A file replaced since its scan has its old scans dropped here, so none is handed back.
  await refreshRecordings(engine, [rec.id], { force: false });
  const existing = engine.scans.latest(rec.id, budgetTokens);
  if (existing && !opts.force) {
    return toScanResult(existing);
  }
  const payload: ScanPayload = { recordingId: rec.id, budgetTokens };
  const job = await runJob(engine, 'scan', payload, `scan of recording ${rec.id}`, {
    recordingId: rec.id,
    dedupeKey: scanDedupeKey(payload),
    onJob: opts.onJob,
  });
  const stored = engine.scans.byJob(job.id) ?? engine.scans.latest(rec.id, budgetTokens);
  if (!stored) throw new JobFailedError(`scan job ${job.id} finished without a result`);
  return toScanResult(stored);
}
