import type { Recording } from '../../../src-shared/recordings.js';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import { analyseRecording } from '../saa/index.js';
import type { RecordingsRepo } from '../store/recordings.js';
import type { ScansRepo } from '../store/scans.js';
import type { JobHandler } from './queue.js';

export interface ScanPayload {
  recordingId: number;
  budgetTokens: number;
}

/** Bumped when the analysis changes, so old scans are not mistaken for new ones. */
export const SAA_VERSION = 1;

export function scanDedupeKey(p: ScanPayload): string {
  return `scan:${p.recordingId}:${p.budgetTokens}:v${SAA_VERSION}`;
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
): Promise<{ frames: PlannedFrame[]; changePoints: number[]; write: () => number }> {
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
  return { frames: result.frames, changePoints: result.changePoints, write };
}

/** The 'scan' job: SAA analysis of one recording, stored with the job's completion. */
export function scanJobHandler(recordings: RecordingsRepo, scans: ScansRepo): JobHandler {
  return async ({ job, signal, progress }) => {
    const payload = job.payload as ScanPayload;
    const rec = recordings.get(payload.recordingId);
    if (!rec) throw new Error(`recording ${payload.recordingId} is not in the library`);
    return (await analyseForStore(rec, payload.budgetTokens, scans, job.id, signal, progress)).write;
  };
}
