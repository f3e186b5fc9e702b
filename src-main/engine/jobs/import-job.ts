import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ImportResult } from '../../../src-shared/recordings.js';
import { StoreError } from '../errors.js';
import { expandPaths, fingerprint } from '../media/files.js';
import { makePoster } from '../media/poster.js';
import { probeVideo } from '../media/probe.js';
import { MediaError } from '../media/tools.js';
import type { RecordingsRepo } from '../store/recordings.js';
import type { JobHandler } from './job-handler.js';

/** What an 'import' job carries: absolute paths of files and folders (folders are walked when it runs). */
export const ImportPayload = z.object({ paths: z.array(z.string().min(1)).min(1) });
export type ImportPayload = z.infer<typeof ImportPayload>;

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

function sqliteProblem(err: InstanceType<typeof Database.SqliteError>, dbFile: string): string {
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

/** What is wrong with the library's store, in words, for an error of it; null for other errors. */
function storeProblem(err: unknown, dbFile: string): string | null {
  if (err instanceof Database.SqliteError) return sqliteProblem(err, dbFile);
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code && DATA_FOLDER_CODES.has(code))
    return `the data folder ${path.dirname(dbFile)} cannot be written (${code}: ${(err as Error).message.split('\n')[0]})`;
  return null;
}

/** What an import needs: the library's recordings, where posters go, the database file (for messages). */
export interface ImportDeps {
  recordings: RecordingsRepo;
  postersDir: string;
  dbFile: string;
  /** Told after each file that entered the library (the UI lists it at once). */
  onImported?: () => void;
}

/** Imports one file: its row id, or why it was skipped. */
async function importOne(deps: ImportDeps, file: string): Promise<number | string> {
  const { fingerprint: fp, sizeBytes } = fingerprint(file);
  if (sizeBytes === 0) return 'empty file';
  const dup = deps.recordings.findDuplicate(file, fp);
  if (dup)
    return dup.path === file
      ? `${ALREADY_IN_LIBRARY} (id ${dup.id})`
      : `${ALREADY_IN_LIBRARY} as ${dup.path} (id ${dup.id})`;
  const info = await probeVideo(file);
  const poster = path.join(deps.postersDir, `${fp.slice(0, 32)}.jpg`);
  await makePoster(file, poster, Math.min(info.durationS * 0.1, 10));
  try {
    return deps.recordings.insert({ path: file, fingerprint: fp, sizeBytes, ...info, posterPath: poster });
  } catch (err) {
    // No row, no poster: the file is imported whole or not at all.
    fs.rmSync(poster, { force: true });
    throw err;
  }
}

function stopped(at: string, problem: string, result: ImportResult): ImportStoppedError {
  const n = result.imported.length;
  const kept =
    n === 0
      ? 'nothing was imported'
      : n === 1
        ? 'the file imported before it stays'
        : `the ${n} files imported before it stay`;
  return new ImportStoppedError(`import stopped at ${at}: ${problem}; ${kept}`, result);
}

/** Imports one candidate into `result`: imported, or skipped with a reason; throws when the store fails. */
async function importInto(deps: ImportDeps, file: string, result: ImportResult): Promise<void> {
  try {
    const outcome = await importOne(deps, file);
    if (typeof outcome === 'string') {
      result.skipped.push({ path: file, reason: outcome });
      return;
    }
    const rec = deps.recordings.get(outcome);
    if (rec) {
      const { id, path: p, durationS, fps, width, height, codec } = rec;
      result.imported.push({ id, path: p, durationS, fps, width, height, codec });
      deps.onImported?.();
    }
  } catch (err) {
    const problem = storeProblem(err, deps.dbFile);
    if (problem !== null) throw stopped(file, problem, result);
    if (!(err instanceof MediaError) && !(err instanceof Error && 'code' in err)) throw err;
    result.skipped.push({ path: file, reason: err.message.split('\n')[0] ?? 'unreadable' });
  }
}

/**
 * Imports files and folders into the library. Each file is probed and decoded once (its poster)
 * before its row is written, so a bad file leaves nothing behind and the batch goes on. A
 * database error (locked, read-only, full) stops the run with ImportStoppedError: it is not the
 * file's fault, and the files imported before it stay. Each file is in the library as soon as
 * it is imported; a cancel stops before the next file, keeping those.
 */
export async function importFiles(
  deps: ImportDeps,
  inputs: readonly string[],
  opts: { signal?: AbortSignal; onFile?: (done: number, total: number, file: string) => void } = {},
): Promise<ImportResult> {
  const result: ImportResult = { imported: [], skipped: [] };
  const candidates = expandPaths(inputs);
  for (const [i, c] of candidates.entries()) {
    if (opts.signal?.aborted) break;
    opts.onFile?.(i, candidates.length, c.path);
    if (c.problem) result.skipped.push({ path: c.path, reason: c.problem });
    else await importInto(deps, c.path, result);
  }
  opts.onFile?.(candidates.length, candidates.length, '');
  return result;
}

/**
 * The 'import' job: importFiles with the job's signal, progress = files done / files. Its
 * result (an ImportResult) is written with its end; cancelled, it ends cancelled and the
 * files imported before the cancel stay in the library.
 */
export function importJobHandler(deps: ImportDeps): JobHandler<ImportPayload> {
  return async ({ payload, signal, progress }) => {
    const result = await importFiles(deps, payload.paths, {
      signal,
      onFile: (done, total) => progress(total === 0 ? 1 : done / total),
    });
    return () => result;
  };
}
