import fs from 'node:fs';
import type { CallOutput } from '../../../src-shared/api.js';
import type { Engine } from '../engine.js';
import { previewFile } from '../jobs/preview-job.js';
import { checkRecordingFile, type FileCheck } from '../store/file-changes.js';
import { NotFoundError } from '../errors.js';

export type RefreshResult = CallOutput<'library.refresh'>;

/**
 * Reads recordings' files again where they changed since import (replaced, or still being
 * written then): new duration, frame rate, size and poster, old scans and preview dropped.
 * None named: the whole library. With `force` (the default) every file's fingerprint is read,
 * not only those whose size or time moved. The library hears of it when anything changed.
 */
export async function refreshRecordings(
  engine: Engine,
  recordingIds?: readonly number[],
  opts: { force?: boolean } = {},
): Promise<RefreshResult> {
  const ids =
    recordingIds && recordingIds.length > 0 ? [...new Set(recordingIds)] : engine.recordings.list().map((r) => r.id);
  for (const id of ids) if (!engine.recordings.get(id)) throw new NotFoundError(`no recording with id ${id}`);
  const checks: FileCheck[] = [];
  for (const id of ids) {
    const c = await checkRecordingFile(engine.recordings, id, { force: opts.force ?? true });
    // A preview is named by recording, not content: one of the old content must not be played.
    if (c.state === 'changed') fs.rmSync(previewFile(engine.paths.previews, id), { force: true });
    checks.push(c);
  }
  if (checks.some((c) => c.state === 'changed')) engine.events.emit('event', { kind: 'library-changed' });
  return { recordings: checks };
}
