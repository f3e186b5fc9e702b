import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from '../../../src-shared/jobs.js';
import type { Recording } from '../../../src-shared/recordings.js';
import { DEFAULT_SCAN_BUDGET, type ScanResult } from '../../../src-shared/scans.js';
import type { Engine } from '../engine.js';
import { SAA_VERSION, scanDedupeKey, type ScanPayload } from '../jobs/scan-job.js';
import type { StoredScan } from '../store/scans.js';
import { UsageError } from './errors.js';

export interface ScanOptions {
  budgetTokens?: number;
  /** Scan again even when a result for this budget exists. */
  force?: boolean;
  /** Called once the job exists, so the caller can show or cancel it. */
  onJob?: (job: Job) => void;
}

export class JobFailedError extends Error {
  override name = 'JobFailedError';
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

async function waitForJob(engine: Engine, id: number): Promise<Job> {
  for (;;) {
    const job = engine.jobs.get(id);
    if (!job) throw new JobFailedError(`job ${id} vanished`);
    if (job.state !== 'queued' && job.state !== 'running') return job;
    await sleep(250);
    engine.jobs.recover();
  }
}

/**
 * Scans a recording as a job (or joins the job already scanning it) and returns the stored result.
 * A job left behind by a crash is picked up here and finishes.
 */
export async function scanRecording(engine: Engine, rec: Recording, opts: ScanOptions = {}): Promise<ScanResult> {
  const budgetTokens = checkBudget(opts.budgetTokens ?? DEFAULT_SCAN_BUDGET);
  const existing = engine.scans.latest(rec.id, budgetTokens);
  if (existing && !opts.force) {
    return toScanResult(existing);
  }
  const payload: ScanPayload = { recordingId: rec.id, budgetTokens };
  const job = engine.jobs.enqueue('scan', payload, { recordingId: rec.id, dedupeKey: scanDedupeKey(payload) });
  opts.onJob?.(job);
  await engine.jobs.drain([job.id]);
  const final = await waitForJob(engine, job.id);
  if (final.state === 'cancelled') throw new JobFailedError(`scan of recording ${rec.id} was cancelled`);
  if (final.state === 'failed')
    throw new JobFailedError(`scan of recording ${rec.id} failed: ${final.error ?? 'unknown error'}`);
  const stored = engine.scans.byJob(job.id) ?? engine.scans.latest(rec.id, budgetTokens);
  if (!stored) throw new JobFailedError(`scan job ${job.id} finished without a result`);
  return toScanResult(stored);
}

export { SAA_VERSION };
