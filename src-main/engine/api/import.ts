import path from 'node:path';
import type { ImportResult } from '../../../src-shared/recordings.js';
import type { Engine } from '../engine.js';
import { expandPaths, fingerprint } from '../media/files.js';
import { makePoster } from '../media/poster.js';
import { probeVideo } from '../media/probe.js';
import { MediaError } from '../media/tools.js';

export interface ImportOptions {
  onFile?: (done: number, total: number, file: string) => void;
}

async function importOne(engine: Engine, file: string): Promise<number | string> {
  const { fingerprint: fp, sizeBytes } = fingerprint(file);
  if (sizeBytes === 0) return 'empty file';
  const dup = engine.recordings.findDuplicate(file, fp);
  if (dup)
    return dup.path === file
      ? `already in the library (id ${dup.id})`
      : `already in the library as ${dup.path} (id ${dup.id})`;
  const info = await probeVideo(file);
  const poster = path.join(engine.paths.posters, `${fp.slice(0, 32)}.jpg`);
  await makePoster(file, poster, Math.min(info.durationS * 0.1, 10));
  return engine.recordings.insert({ path: file, fingerprint: fp, sizeBytes, ...info, posterPath: poster });
}

/**
 * Imports files and folders into the library. Each file is probed and decoded once (its poster)
 * before its row is written, so a bad file leaves nothing behind and the batch goes on.
 */
export async function importPaths(
  engine: Engine,
  inputs: readonly string[],
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const result: ImportResult = { imported: [], skipped: [] };
  const candidates = expandPaths(inputs);
  for (const [i, c] of candidates.entries()) {
    opts.onFile?.(i, candidates.length, c.path);
    if (c.problem) {
      result.skipped.push({ path: c.path, reason: c.problem });
      continue;
    }
    try {
      const outcome = await importOne(engine, c.path);
      if (typeof outcome === 'string') {
        result.skipped.push({ path: c.path, reason: outcome });
        continue;
      }
      const rec = engine.recordings.get(outcome);
      if (rec) {
        const { id, path: p, durationS, fps, width, height, codec } = rec;
        result.imported.push({ id, path: p, durationS, fps, width, height, codec });
      }
    } catch (err) {
      if (!(err instanceof MediaError) && !(err instanceof Error && 'code' in err)) throw err;
      result.skipped.push({ path: c.path, reason: err.message.split('\n')[0] ?? 'unreadable' });
    }
  }
  opts.onFile?.(candidates.length, candidates.length, '');
  return result;
}
