import type { Job } from '../../../src-shared/jobs.js';
import type { Engine } from '../engine.js';
import { JobFailedError } from '../errors.js';

/**
 * Runs a queued job here and waits for it to end (also when another process runs it, taking it
 * over when that process dies), then returns it done; a failed or cancelled job throws
 * JobFailedError with a one-line message that starts with `what`. What the CLI's scan, ground,
 * import and eval wait on.
 */
export async function runJob(engine: Engine, job: Job, what: string, onJob?: (job: Job) => void): Promise<Job> {
  onJob?.(job);
  const final = await engine.jobs.runToEnd(job.id);
  if (final.state === 'cancelled') throw new JobFailedError(`${what} was cancelled`);
  if (final.state === 'failed') throw new JobFailedError(`${what} failed: ${final.error ?? 'unknown error'}`);
  return final;
}
