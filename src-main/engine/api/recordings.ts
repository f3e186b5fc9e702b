import fs from 'node:fs';
import path from 'node:path';
import type { ListResult, Recording } from '../../../src-shared/recordings.js';
import type { Engine } from '../engine.js';
import { NotFoundError } from '../errors.js';

export function listRecordings(engine: Engine): ListResult {
  return {
    recordings: engine.recordings
      .list()
      .map(({ id, path: p, durationS, scan, posterPath }) => ({ id, path: p, durationS, scan, posterPath })),
  };
}

/** Finds a recording by id (all digits) or by path. */
export function resolveRecording(engine: Engine, ref: string): Recording {
  if (/^\d+$/.test(ref)) {
    const rec = engine.recordings.get(Number(ref));
    if (rec) return rec;
    if (!fs.existsSync(ref)) throw new NotFoundError(`no recording with id ${ref}`);
  }
  const abs = path.resolve(ref);
  const rec = engine.recordings.byPath(abs) ?? engine.recordings.byPath(safeRealpath(abs));
  if (!rec) throw new NotFoundError(`${abs} is not in the library (import it first)`);
  return rec;
}

function safeRealpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}
