import type { Job } from '../../../src-shared/jobs.js';
import type { Recording } from '../../../src-shared/recordings.js';
import { DEFAULT_SCAN_BUDGET } from '../../../src-shared/scans.js';
import type { Engine } from '../engine.js';
import type { GroundPayload } from '../jobs/ground-job.js';
import { checkDevice, DeviceError } from '../models/devices.js';
import { findModel, listModels, ModelNotFoundError } from '../models/registry.js';
import { UsageError } from './errors.js';
import { JobFailedError, runJob } from './run-job.js';
import { scanRecording } from './scan.js';

export const MAX_QUERY_CHARS = 2000;

export interface GroundRequest {
  query: string;
  model?: string;
  device?: string;
  samples?: number;
  onJob?: (job: Job) => void;
}

export interface GroundResult {
  runId: number;
  query: string;
  recordingId: number;
  model: string;
  device: string;
  refused: boolean;
  segments: { startS: number; endS: number; confidence: number }[];
  timings: Record<string, unknown>;
}

/** Checks a query: not blank, under the limit. Returns it trimmed. */
export function checkQuery(query: string): string {
  const q = query.trim();
  if (q.length === 0) throw new UsageError('the query is empty');
  if (q.length >= MAX_QUERY_CHARS)
    throw new UsageError(`the query is too long (${q.length} characters; the limit is ${MAX_QUERY_CHARS - 1})`);
  return q;
}

function resolveModelDir(engine: Engine, name: string | undefined): string {
  try {
    if (name === undefined) {
      const complete = listModels(engine.paths.home).filter((m) => m.complete);
      if (complete.length === 0)
        throw new UsageError(`no model installed: put one in ${engine.paths.home}/models or pass --model DIR`);
      if (complete.length > 1) {
        throw new UsageError(
          `several models installed (${complete.map((m) => m.manifest?.name).join(', ')}): pick one with --model`,
        );
      }
      return (complete[0] as { dir: string }).dir;
    }
    const m = findModel(engine.paths.home, name);
    if (!m.complete)
      throw new UsageError(`model ${m.manifest?.name ?? m.dir} cannot be used: ${m.problems.join('; ')}`);
    return m.dir;
  } catch (err) {
    if (err instanceof ModelNotFoundError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * Finds where a query happens in a recording: checks the query, model and device, scans the
 * recording first if it has no scan, then runs the grounding pipeline as a job and returns
 * the stored run.
 */
export async function groundQuery(engine: Engine, rec: Recording, req: GroundRequest): Promise<GroundResult> {
  const query = checkQuery(req.query);
  const samples = req.samples ?? 3;
  if (!Number.isInteger(samples) || samples < 1 || samples > 16)
    throw new UsageError('--samples must be a whole number from 1 to 16');
  const modelDir = resolveModelDir(engine, req.model);
  let device;
  try {
    device = checkDevice(req.device ?? 'cpu');
  } catch (err) {
    if (err instanceof DeviceError) throw new UsageError(err.message);
    throw err;
  }
  // The newest scan of any budget serves; a recording never scanned is scanned first.
  const scan = engine.scans.latest(rec.id);
  if (!scan) await scanRecording(engine, rec, { budgetTokens: DEFAULT_SCAN_BUDGET, onJob: req.onJob });
  const budgetTokens = scan?.budgetTokens ?? DEFAULT_SCAN_BUDGET;
  const payload: GroundPayload = { recordingId: rec.id, query, modelDir, device, samples, budgetTokens };
  const job = await runJob(engine, 'ground', payload, `grounding on recording ${rec.id}`, {
    recordingId: rec.id,
    onJob: req.onJob,
  });
  const run = engine.runs.byJob(job.id);
  if (!run) throw new JobFailedError(`grounding job ${job.id} finished without a run`);
  return {
    runId: run.id,
    query: run.query,
    recordingId: run.recordingId,
    model: run.modelName,
    device: run.device,
    refused: run.refused,
    segments: run.segments.map(({ startS, endS, confidence }) => ({ startS, endS, confidence })),
    timings: run.timings,
  };
}
