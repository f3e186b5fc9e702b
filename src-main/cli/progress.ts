import { jobStartMs } from '../../src-shared/eta.js';
import type { Job } from '../../src-shared/jobs.js';
import type { CommandContext } from './context.js';
import type { Output } from './output.js';

/**
 * Shows the progress of the jobs a command starts, with the time each has left (from when it
 * started), and cancels them on Ctrl-C.
 * Returns the onJob hook to pass to the api call and a stop function for `finally`.
 */
export function followJobs(ctx: CommandContext, label: string): { onJob: (job: Job) => void; stop: () => void } {
  const { engine, out, signal } = ctx;
  const ids = new Set<number>();
  const onEvent = ({ job }: { job: Job }): void => {
    if (!ids.has(job.id)) return;
    out.progress(`${label} (${job.type})`, job.progress, jobStartMs(job) ?? undefined);
  };
  const onAbort = (): void => {
    for (const id of ids) engine.jobs.cancel(id);
  };
  engine.jobs.events.on('event', onEvent);
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    onJob: (job) => ids.add(job.id),
    stop: () => {
      engine.jobs.events.off('event', onEvent);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

/** Progress through out.progress, written only when the shown percentage changes; a new label starts a new line. */
export function progressLine(out: Output): (label: string, done: number, total: number) => void {
  let lastLabel = '';
  let lastPercent = -1;
  return (label, done, total) => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const percent = Math.floor(fraction * 100);
    if (label === lastLabel && percent === lastPercent) return;
    if (label !== lastLabel) out.done();
    lastLabel = label;
    lastPercent = percent;
    out.progress(label, fraction);
  };
}

/** Resolves once the signal is aborted (Ctrl-C): how `serve` and `serve-model` wait. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
