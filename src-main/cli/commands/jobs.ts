import { UsageError } from '../../engine/errors.js';
import type { CommandContext } from '../context.js';

function listJobs({ engine, out }: CommandContext): number {
  const jobs = engine.jobs.list();
  out.result({ jobs }, () =>
    jobs.length === 0
      ? 'no jobs'
      : jobs
          .map(
            (j) =>
              `${String(j.id).padStart(4)}  ${j.type}  ${j.state.padEnd(9)} ${(j.progress * 100).toFixed(0).padStart(3)}%  attempts ${j.attempts}${j.error ? `  ${j.error}` : ''}`,
          )
          .join('\n'),
  );
  return 0;
}

async function runJobs({ engine, out }: CommandContext): Promise<number> {
  // Judged on the jobs run now: a job that failed long ago does not fail this run.
  const ran = (await engine.jobs.drain()).map((jobId) => engine.jobs.get(jobId)).filter((j) => j !== undefined);
  const jobs = engine.jobs.list({ limit: 20 });
  out.result(
    { ran, jobs },
    () =>
      ran.map((j) => `${j.id} ${j.type} ${j.state}${j.error ? `: ${j.error}` : ''}`).join('\n') ||
      'no queued jobs to run',
  );
  return ran.some((j) => j.state === 'failed') ? 1 : 0;
}

function cancelJob({ engine, out }: CommandContext, id: string | undefined): number {
  if (!id || !/^\d+$/.test(id)) throw new UsageError('jobs cancel needs a job id');
  const job = engine.jobs.cancel(Number(id));
  if (!job) throw new UsageError(`no job with id ${id}`);
  out.result(
    { job },
    () => `job ${job.id}: ${job.state}${job.cancelRequested && job.state === 'running' ? ' (stopping)' : ''}`,
  );
  return 0;
}

/** `tempo jobs [list|run|cancel ID]`: show jobs, run queued (and crash-interrupted) jobs, cancel one. */
export async function cmdJobs(ctx: CommandContext): Promise<number> {
  const [sub = 'list', id] = ctx.args;
  if (sub === 'list') return listJobs(ctx);
  if (sub === 'run') return runJobs(ctx);
  if (sub === 'cancel') return cancelJob(ctx, id);
  throw new UsageError(`unknown jobs command '${sub}' (list, run, cancel ID)`);
}
