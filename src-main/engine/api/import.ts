import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { ImportResult } from '../../../src-shared/recordings.js';
import type { Engine } from '../engine.js';
import { expandPaths, fingerprint } from '../media/files.js';
import { makePoster } from '../media/poster.js';
import { probeVideo } from '../media/probe.js';
import { MediaError } from '../media/tools.js';
import { StoreError } from '../errors.js';

export interface ImportOptions {
  onFile?: (done: number, total: number, file: string) => void;
}

/** How the reason of a skipped file starts when the file is in the library already (not a failure). */
export const ALREADY_IN_LIBRARY = 'already in the library';

export function isAlreadyInLibrary(skipped: { reason: string }): boolean {
  return skipped.reason.startsWith(ALREADY_IN_LIBRARY);
}

/**
 * The library could not be written (database locked, read-only or full, or no space for the
 * data folder): a failure of the whole import, not of the file it was at. Carries what the
 * run did before it stopped; those files stay in the library.
 */
export class ImportStoppedError extends StoreError {
  override name = 'ImportStoppedError';
  constructor(
    message: string,
    readonly result: ImportResult,
  ) {
    super(message);
  }
}

/** Errors of the data folder rather than of the file being imported (only writes there fail so). */
const DATA_FOLDER_CODES = new Set(['ENOSPC', 'EROFS', 'EDQUOT']);

/** What is wrong with the database, in words, for an error of the library's store; null for other errors. */
function storeProblem(err: unknown, dbFile: string): string | null {
  if (err instanceof Database.SqliteError) {
    const code = err.code;
    const what =
      code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')
        ? `the database ${dbFile} is locked by another program`
        : code.startsWith('SQLITE_READONLY')
          ? `the database ${dbFile} is read-only`
          : code === 'SQLITE_FULL'
            ? `the database ${dbFile} is full (no space left on its disk)`
            : code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'
              ? `the database ${dbFile} is damaged`
              : `the database ${dbFile} cannot be written`;
    return `${what} (${code}: ${err.message.split('\n')[0]})`;
  }
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code && DATA_FOLDER_CODES.has(code))
    return `the data folder ${path.dirname(dbFile)} cannot be written (${code}: ${(err as Error).message.split('\n')[0]})`;
  return null;
}

async function importOne(engine: Engine, file: string): Promise<number | string> {
  const { fingerprint: fp, sizeBytes } = fingerprint(file);
  if (sizeBytes === 0) return 'empty file';
  const dup = engine.recordings.findDuplicate(file, fp);
  if (dup)
    return dup.path === file
      ? `${ALREADY_IN_LIBRARY} (id ${dup.id})`
      : `${ALREADY_IN_LIBRARY} as ${dup.path} (id ${dup.id})`;
  const info = await probeVideo(file);
  const poster = path.join(engine.paths.posters, `${fp.slice(0, 32)}.jpg`);
  await makePoster(file, poster, Math.min(info.durationS * 0.1, 10));
  try {
    return engine.recordings.insert({ path: file, fingerprint: fp, sizeBytes, ...info, posterPath: poster });
  } catch (err) {
    // No row, no poster: the file is imported whole or not at all.
    fs.rmSync(poster, { force: true });
    throw err;
  }
}

/**
 * Imports files and folders into the library. Each file is probed and decoded once (its poster)
 * before its row is written, so a bad file leaves nothing behind and the batch goes on. A
 * database error (locked, read-only, full) stops the run with ImportStoppedError: it is not the
 * file's fault, and the files imported before it stay.
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
      const problem = storeProblem(err, engine.paths.db);
      if (problem !== null) {
        const n = result.imported.length;
        const kept =
          n === 0
            ? 'nothing was imported'
            : n === 1
              ? 'the file imported before it stays'
              : `the ${n} files imported before it stay`;
        throw new ImportStoppedError(`import stopped at ${c.path}: ${problem}; ${kept}`, result);
      }
      if (!(err instanceof MediaError) && !(err instanceof Error && 'code' in err)) throw err;
      result.skipped.push({ path: c.path, reason: err.message.split('\n')[0] ?? 'unreadable' });
    }
  }
  opts.onFile?.(candidates.length, candidates.length, '');
  return result;
}
