import { z } from 'zod';
import type { Recording } from '../../../src-shared/recordings.js';
import { DEFAULT_SCAN_BUDGET, type PlannedFrame } from '../../../src-shared/scans.js';
import { ensureCurrentFile } from '../store/file-changes.js';
import { analyseRecording } from '../saa/index.js';
import type { CostsRepo } from '../store/costs.js';
import type { RecordingsRepo } from '../store/recordings.js';
import type { ScansRepo } from '../store/scans.js';
import type { JobHandler } from './job-handler.js';

export const ScanPayload = z.object({
  recordingId: z.number().int().positive(),
  budgetTokens: z.number().int().positive(),
});
export type ScanPayload = z.infer<typeof ScanPayload>;

/** Bumped when the analysis changes, so old scans are not mistaken for new ones. */
export const SAA_VERSION = 1;

export function scanDedupeKey(p: ScanPayload): string {
  return `scan:${p.recordingId}:${p.budgetTokens}:v${SAA_VERSION}`;
}

/**
 * The scan policy, one for every caller: the budget a scan is made with is the one asked for,
 * else the budget of the recording's newest scan, else the default.
 */
export function scanBudget(scans: ScansRepo, recordingId: number, asked?: number): number {
  return asked ?? scans.latest(recordingId)?.budgetTokens ?? DEFAULT_SCAN_BUDGET;
}

/**
 * SAA analysis of one recording; returns the write that stores it, for the finishing
 * transaction of the job that ran it (a scan job, or a ground job scanning first).
 */
export async function analyseForStore(
  rec: Recording,
  budgetTokens: number,
  scans: ScansRepo,
  jobId: number | null,
  signal: AbortSignal,
  progress: (fraction: number) => void,
): Promise<{ frames: PlannedFrame[]; changePoints: number[]; ms: number; write: () => number }> {
  const start = performance.now();
  const result = await analyseRecording(rec.path, {
    durationS: rec.durationS,
    width: rec.width,
    height: rec.height,
    budgetTokens,
    signal,
    onProgress: progress,
  });
  const write = () =>
    scans.upsert({
      recordingId: rec.id,
      jobId,
      budgetTokens,
      params: { v: SAA_VERSION, fps: result.track.fps },
      durationS: rec.durationS,
      changePoints: result.changePoints,
      frames: result.frames,
      visualTokens: result.visualTokens,
      uniformTokens: result.uniformTokens,
      analysisFps: result.track.fps,
      activity: result.track.activity,
      warnings: result.warnings,
    });
  return { frames: result.frames, changePoints: result.changePoints, ms: performance.now() - start, write };
}

/**
 * The one scan-before-ground path: the recording's stored scan (of `budgetTokens`, else its
 * newest), or a fresh analysis whose `write` the caller runs in the finishing transaction of
 * the job that needed it (a ground job), or at once (an evaluation, item by item).
 */
export async function scannedOrFresh(
  rec: Recording,
  budgetTokens: number,
  scans: ScansRepo,
  signal: AbortSignal,
  progress: (fraction: number) => void,
): Promise<{
  plan: { frames: PlannedFrame[]; changePoints: number[] };
  fresh: boolean;
  /** How long the fresh analysis took; null for a stored scan. */
  scanMs: number | null;
  write: () => number;
}> {
  const stored = scans.latest(rec.id, budgetTokens) ?? scans.latest(rec.id);
  if (stored) return { plan: stored, fresh: false, scanMs: null, write: () => stored.id };
  const fresh = await analyseForStore(rec, budgetTokens, scans, null, signal, progress);
  return { plan: fresh, fresh: true, scanMs: Math.round(fresh.ms), write: fresh.write };
}

/**
 * The 'scan' job: SAA analysis of one recording, stored with the job's completion. A file that
 * changed since the library read it (replaced, or still being written at import) is read again
 * first (media/changes.ts), so the scan is of the file as it is, at its real duration. A scan
 * whose file changed again while it ran is not stored.
 */
export function scanJobHandler(
  recordings: RecordingsRepo,
  scans: ScansRepo,
  costs?: CostsRepo,
): JobHandler<ScanPayload> {
  return async ({ job, payload, signal, progress }) => {
    if (!recordings.get(payload.recordingId)) throw new Error(`recording ${payload.recordingId} is not in the library`);
    await ensureCurrentFile(recordings, payload.recordingId);
    const rec = recordings.get(payload.recordingId);
    if (!rec) throw new Error(`recording ${payload.recordingId} is not in the library`);
    const content = recordings.fingerprint(rec.id);
    const { write, ms: scanMs } = await analyseForStore(rec, payload.budgetTokens, scans, job.id, signal, progress);
    return () => {
      if (recordings.fingerprint(rec.id) !== content)
        throw new Error(`${rec.path} changed while it was scanned: scan it again`);
      const id = write();
      // The scan's time per minute of footage: what scanning a recording first adds to a query's estimate.
      if (rec.durationS > 0) costs?.recordScan(scanMs / (rec.durationS / 60));
      return id;
    };
  };
}
