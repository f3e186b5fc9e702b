import fs from 'node:fs';
import path from 'node:path';
import { makePreview } from '../media/preview.js';
import type { RecordingsRepo } from '../store/recordings.js';
import type { JobHandler } from './queue.js';

export interface PreviewPayload {
  recordingId: number;
}

export function previewFile(previewsDir: string, recordingId: number): string {
  return path.join(previewsDir, `${recordingId}.mp4`);
}

/** The 'preview' job: a playable MP4 of a recording the window cannot play (makePreview). */
export function previewJobHandler(recordings: RecordingsRepo, previewsDir: string): JobHandler {
  return async ({ job, signal, progress }) => {
    const p = job.payload as PreviewPayload;
    const rec = recordings.get(p.recordingId);
    if (!rec) throw new Error(`recording ${p.recordingId} is not in the library`);
    fs.mkdirSync(previewsDir, { recursive: true });
    await makePreview(rec.path, previewFile(previewsDir, rec.id), {
      durationS: rec.durationS,
      fps: rec.fps,
      codec: rec.codec,
      signal,
      onProgress: progress,
    });
    return () => undefined;
  };
}
