import type { ImportResult } from '../../../src-shared/recordings.js';
import { importPaths } from '../../engine/api/import.js';
import { ImportStoppedError, isAlreadyInLibrary } from '../../engine/jobs/import-job.js';
import { UsageError } from '../../engine/errors.js';
import type { CommandContext } from '../context.js';
import { formatDuration, type Output } from '../output.js';

/** Prints what an import did: each file imported, already in the library or skipped, then the counts. */
function reportImport(out: Output, result: ImportResult): void {
  const known = result.skipped.filter(isAlreadyInLibrary);
  const skipped = result.skipped.filter((s) => !isAlreadyInLibrary(s));
  out.result(result, () =>
    [
      ...result.imported.map(
        (r) => `imported ${r.id}  ${r.path}  ${formatDuration(r.durationS)}  ${r.width}x${r.height} ${r.codec}`,
      ),
      ...known.map((s) => `in library  ${s.path}: ${s.reason}`),
      ...skipped.map((s) => `skipped  ${s.path}: ${s.reason}`),
      `${result.imported.length} imported, ${known.length} already in the library, ${skipped.length} skipped`,
    ].join('\n'),
  );
}

/** `tempo import PATH...`: video files or folders (recursive) added to the library. */
export async function cmdImport({ engine, out, args }: CommandContext): Promise<number> {
  if (args.length === 0) throw new UsageError('import needs at least one file or folder');
  let result;
  try {
    result = await importPaths(engine, args, { onProgress: (f) => out.progress('import', f) });
  } catch (err) {
    out.done();
    // The library could not be written: what got in is shown, the run fails with one line.
    if (err instanceof ImportStoppedError) reportImport(out, err.result);
    throw err;
  }
  out.done();
  reportImport(out, result);
  // A file already in the library is where it should be; the run fails only when none of what
  // was given is in the library now (every file skipped for a problem).
  const inLibrary = result.imported.length + result.skipped.filter(isAlreadyInLibrary).length;
  if (inLibrary > 0 || result.skipped.length === 0) return 0;
  const only = result.skipped.length === 1 ? result.skipped[0] : undefined;
  throw new Error(
    only ? `nothing imported: ${only.path}: ${only.reason}` : `nothing imported: ${result.skipped.length} skipped`,
  );
}
