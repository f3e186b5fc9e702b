import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { makePreview } from '../media/preview.js';
import type { RecordingsRepo } from '../store/recordings.js';
import type { JobHandler } from './job-handler.js';

export const PreviewPayload = z.object({ recordingId: z.number().int().positive() });
export type PreviewPayload = z.infer<typeof PreviewPayload>;

export function previewFile(previewsDir: string, recordingId: number): string {
  return path.join(previewsDir, `${recordingId}.mp4`);
}

/** The 'preview' job: a playable MP4 of a recording the window cannot play (makePreview). */
export function previewJobHandler(recordings: RecordingsRepo, previewsDir: string): JobHandler<PreviewPayload> {
  return async ({ payload: p, signal, progress }) => {
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
