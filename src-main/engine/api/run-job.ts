import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, JobType } from '../../../src-shared/jobs.js';
import type { Engine } from '../engine.js';
import type { EnqueueOptions } from '../jobs/queue.js';
import { JobFailedError } from '../errors.js';


async function waitForJob(engine: Engine, id: number): Promise<Job> {
  for (;;) {
    const job = engine.jobs.get(id);
    if (!job) throw new JobFailedError(`job ${id} vanished`);
    if (job.state !== 'queued' && job.state !== 'running') return job;
    await sleep(250);
    engine.jobs.recover();
  }
}

/**
 * Queues a job (or joins the active one with the same dedupe key), runs it here, waits for it
 * to end (also when another process runs it) and returns it done; a failed or cancelled job
 * throws with a one-line message that starts with `what`.
 */
export async function runJob(
  engine: Engine,
  type: JobType,
  payload: unknown,
  what: string,
  opts: EnqueueOptions & { onJob?: (job: Job) => void } = {},
): Promise<Job> {
  const job = engine.jobs.enqueue(type, payload, opts);
  opts.onJob?.(job);
  await engine.jobs.drain([job.id]);
  const final = await waitForJob(engine, job.id);
  if (final.state === 'cancelled') throw new JobFailedError(`${what} was cancelled`);
  if (final.state === 'failed') throw new JobFailedError(`${what} failed: ${final.error ?? 'unknown error'}`);
  return final;
}
