import type { Job } from '../../../src-shared/jobs.js';
import type { Recording } from '../../../src-shared/recordings.js';
import type { ScanResult } from '../../../src-shared/scans.js';
import type { Engine } from '../engine.js';
import { scanBudget, scanDedupeKey, type ScanPayload } from '../jobs/scan-job.js';
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
    throw new UsageError(`{budget} must be a whole number of tokens from ${MIN_BUDGET} to ${MAX_BUDGET}`);
  }
  return budget;
}

/** What a scan request comes to: the stored scan that answers it, or the scan job that will. */
export type ScanRequest =
  | { budgetTokens: number; stored: StoredScan; payload: null }
  | { budgetTokens: number; stored: null; payload: ScanPayload };

/**
 * The one scan use case of the CLI and the UI. A file replaced since its scan has its old scans
 * dropped first, so none is handed back. The budget follows the scan policy (jobs/scan-job.ts
 * scanBudget); a scan of that budget already stored answers unless `force`.
 */
export async function requestScan(
  engine: Engine,
  rec: Recording,
  opts: { budgetTokens?: number; force?: boolean },
): Promise<ScanRequest> {
  const asked = opts.budgetTokens === undefined ? undefined : checkBudget(opts.budgetTokens);
  await refreshRecordings(engine, [rec.id], { force: false });
  const budgetTokens = scanBudget(engine.scans, rec.id, asked);
  const stored = engine.scans.latest(rec.id, budgetTokens);
  if (stored && !opts.force) return { budgetTokens, stored, payload: null };
  return { budgetTokens, stored: null, payload: { recordingId: rec.id, budgetTokens } };
}

/** Queues a scan job (or returns the active one scanning the same), for a request that needs one. */
export function queueScan(engine: Engine, payload: ScanPayload): Job {
  return engine.jobs.enqueue('scan', payload, {
    recordingId: payload.recordingId,
    dedupeKey: scanDedupeKey(payload),
  });
}

/** The `library.scan` call: the scan's job (the one that made the stored scan, when one answers), started. */
export async function startScan(engine: Engine, rec: Recording, opts: { force?: boolean }): Promise<{ job: Job }> {
  const req = await requestScan(engine, rec, opts);
  const done = req.stored ? engine.jobs.byPayload('scan', 'recordingId', rec.id).at(-1) : undefined;
  if (done) return { job: done };
  const job = queueScan(engine, req.payload ?? { recordingId: rec.id, budgetTokens: req.budgetTokens });
  engine.kick();
  return { job };
}

/**
 * Scans a recording as a job run here (or joins the job already scanning it) and returns the
 * stored result (the CLI). A job left behind by a crash is picked up here and finishes.
 */
export async function scanRecording(engine: Engine, rec: Recording, opts: ScanOptions = {}): Promise<ScanResult> {
  const req = await requestScan(engine, rec, opts);
  if (req.stored) return toScanResult(req.stored);
  const job = await runJob(engine, queueScan(engine, req.payload), `scan of recording ${rec.id}`, opts.onJob);
  const stored = engine.scans.byJob(job.id) ?? engine.scans.latest(rec.id, req.budgetTokens);
  if (!stored) throw new JobFailedError(`scan job ${job.id} finished without a result`);
  return toScanResult(stored);
}
