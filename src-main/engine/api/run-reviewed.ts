import type { Job } from '../../../src-shared/jobs.js';
import type { Engine } from '../engine.js';
import { ReviewedRepo } from '../store/reviewed.js';
import { planGround } from './ground.js';
import { enqueueGround } from './queries.js';
import { runJob } from './run-job.js';

/**
 * Makes a model comparable at once: one ground job per reviewed (query text, recording) pair
 * with a known truth that the model has no run on, each under a query row of its own text,
 * with the device and samples of the settings and the pipeline an operator's query uses.
 * The one use case of the workstation's "run on the reviewed set" (started in the background)
 * and of `tempo eval --verdicts --run` (which waits: runReviewed).
 */
export async function queueReviewed(engine: Engine, model: string): Promise<Job[]> {
  const { device, samples } = engine.settings.get();
  const plan = await planGround(engine, { model, device, samples });
  const pairs = new ReviewedRepo(engine.db).missingPairs(model);
  return engine.db.transaction(() =>
    pairs
      .filter((p) => engine.recordings.get(p.recordingId))
      .map((p) => enqueueGround(engine, p.recordingId, p.query, engine.runs.createQuery(p.query), plan)),
  )();
}

/** queueReviewed, its jobs started in the background (the workstation). */
export async function startReviewed(engine: Engine, model: string): Promise<Job[]> {
  const jobs = await queueReviewed(engine, model);
  if (jobs.length > 0) engine.kick();
  return jobs;
}

/** queueReviewed, its jobs run here one by one and waited for (the CLI). Returns how many it ran. */
export async function runReviewed(
  engine: Engine,
  model: string,
  opts: { onJob?: (job: Job) => void; onPair?: (done: number, total: number) => void } = {},
): Promise<number> {
  const jobs = await queueReviewed(engine, model);
  let done = 0;
  for (const job of jobs) {
    await runJob(engine, job, `grounding on recording ${job.recordingId ?? '?'}`, opts.onJob);
    opts.onPair?.(++done, jobs.length);
  }
  return jobs.length;
}
