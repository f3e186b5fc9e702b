import path from 'node:path';
import type { CallOutput } from '../../../src-shared/api.js';
import type { Job } from '../../../src-shared/jobs.js';
import { ImportResult } from '../../../src-shared/recordings.js';
import type { Engine } from '../engine.js';
import { JobFailedError } from '../errors.js';
import { ImportStoppedError, type ImportPayload } from '../jobs/import-job.js';

/** Queues an import of paths (made absolute against this process's folder); the job runs in the background. */
export function queueImport(engine: Engine, paths: readonly string[]): Job {
  const payload: ImportPayload = { paths: paths.map((p) => path.resolve(p)) };
  return engine.jobs.enqueue('import', payload, { maxAttempts: 1 });
}

/** The `library.import` call: the import job, started without waiting; its result arrives with its end. */
export function startImport(engine: Engine, paths: readonly string[]): CallOutput<'library.import'> {
  const job = queueImport(engine, paths);
  engine.kick();
  return { job };
}

/**
 * Imports files and folders as an 'import' job run here, and waits for it (the CLI, and a scan
 * or evaluation of a file not yet in the library). A database error stops the import with
 * ImportStoppedError carrying what it did before; a cancel ends it with JobFailedError.
 */
export async function importPaths(
  engine: Engine,
  inputs: readonly string[],
  opts: { onJob?: (job: Job) => void; onProgress?: (fraction: number) => void } = {},
): Promise<ImportResult> {
  const queued = queueImport(engine, inputs);
  opts.onJob?.(queued);
  const report = (e: { kind: string; job?: Job }) => {
    if (e.kind === 'job-updated' && e.job?.id === queued.id) opts.onProgress?.(e.job.progress);
  };
  engine.jobs.events.on('event', report);
  let job: Job;
  try {
    job = await engine.jobs.runToEnd(queued.id);
  } finally {
    engine.jobs.events.off('event', report);
  }
  const result = job.result === null ? null : ImportResult.parse(job.result);
  if (job.state === 'done' && result) return result;
  if (job.state === 'cancelled') throw new JobFailedError('the import was cancelled');
  const message = job.error ?? 'the import failed';
  throw result ? new ImportStoppedError(message, result) : new JobFailedError(message);
}
