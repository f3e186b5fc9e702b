import fs from 'node:fs';
import type { CallInput, CallOutput } from '../../../src-shared/api.js';
import type { Engine } from '../engine.js';
import { previewFile } from '../jobs/preview-job.js';
import { isPlayable } from '../media/preview.js';
import { NotFoundError } from '../errors.js';
import { refreshRecordings } from './refresh.js';

/** Points of the activity strip at most. */
const STRIP_POINTS = 2000;

/** Max-pools SAA activity down to the strip's resolution and scales it into [0,1]. */
export function activityStrip(activity: Float32Array, fps: number): { values: number[]; stepS: number } {
  if (activity.length === 0 || fps <= 0) return { values: [], stepS: 1 };
  const group = Math.max(1, Math.ceil(activity.length / STRIP_POINTS));
  const pooled: number[] = [];
  for (let i = 0; i < activity.length; i += group) {
    let m = 0;
    for (let j = i; j < Math.min(activity.length, i + group); j++) m = Math.max(m, activity[j] as number);
    pooled.push(m);
  }
  const top = Math.max(...pooled);
  return { values: pooled.map((v) => (top > 0 ? v / top : 0)), stepS: group / fps };
}

/**
 * Where a recording's playable media is: the file itself, or its preview once made. A preview
 * made before the file's content last changed (previews are named by recording) is of the old
 * video: it is removed, and a new one is made.
 */
export function playableFile(engine: Engine, recordingId: number): string | null {
  const rec = engine.recordings.get(recordingId);
  if (!rec) return null;
  if (isPlayable(rec.path, rec.codec)) return rec.path;
  const preview = previewFile(engine.paths.previews, rec.id);
  const made = fs.statSync(preview, { throwIfNoEntry: false });
  if (!made) return null;
  const changed = engine.recordings.contentChangedMs(rec.id);
  if (changed !== null && made.mtimeMs < changed) {
    fs.rmSync(preview, { force: true });
    return null;
  }
  return preview;
}

/**
 * A recording for the player: what to load, its SAA activity and change points. A file that
 * changed since it was read (replaced, or still being written at import) is read again first
 * (refresh.ts). A file the window cannot play gets a preview job (or joins the one running).
 */
export async function recordingDetail(
  engine: Engine,
  { recordingId }: CallInput<'recording.detail'>,
): Promise<CallOutput<'recording.detail'>> {
  if (!engine.recordings.get(recordingId)) throw new NotFoundError(`no recording with id ${recordingId}`);
  // Only a stat when nothing changed; a file gone or unreadable is shown as the library knew it.
  await refreshRecordings(engine, [recordingId], { force: false });
  const recording = engine.recordings.get(recordingId);
  if (!recording) throw new NotFoundError(`no recording with id ${recordingId}`);
  const playable = playableFile(engine, recordingId) !== null;
  let previewJob = null;
  if (!playable) {
    // A preview that failed is shown with its error, not tried again on every look.
    const last = engine.jobs.byPayload('preview', 'recordingId', recordingId).at(-1);
    if (last?.state === 'failed') previewJob = last;
    else {
      previewJob = engine.jobs.enqueue(
        'preview',
        { recordingId },
        { recordingId, dedupeKey: `preview:${recordingId}` },
      );
      engine.kick();
    }
  }
  const scan = engine.scans.latest(recordingId);
  const strip = scan ? activityStrip(scan.activity, scan.analysisFps) : { values: [], stepS: 1 };
  return {
    recording,
    mediaPath: `recording/${recordingId}`,
    playable,
    previewJob,
    activity: strip.values,
    activityStepS: strip.stepS,
    changePoints: scan?.changePoints ?? [],
  };
}
