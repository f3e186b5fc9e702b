import { jobStartMs } from '../../src-shared/eta.js';
import type { Job } from '../../src-shared/jobs.js';
import type { CommandContext } from './context.js';
import type { Output } from './output.js';

/** What followJobs gives a command: the hook for the api call, the notes heard, and stop for `finally`. */
export interface Following {
  onJob: (job: Job) => void;
  /** The notes of the jobs (JobContext.note) said on stderr so far, in order. */
  notes: readonly string[];
  stop: () => void;
}

/**
 * Shows the progress of the jobs a command starts, with the time each has left (from when it
 * started), says each note of theirs on stderr the moment it comes (also with --json: a model
 * server that left the pool), and cancels them on Ctrl-C.
 */
export function followJobs(ctx: CommandContext, label: string): Following {
  const { engine, out, signal } = ctx;
  const ids = new Set<number>();
  const notes: string[] = [];
  const onEvent = ({ job }: { job: Job }): void => {
    if (!ids.has(job.id)) return;
    out.progress(`${label} (${job.type})`, job.progress, jobStartMs(job) ?? undefined);
  };
  const onNote = (jobId: number, line: string): void => {
    if (!ids.has(jobId)) return;
    out.done();
    notes.push(line);
    process.stderr.write(`tempo: ${line}\n`);
  };
  const onAbort = (): void => {
    for (const id of ids) engine.jobs.cancel(id);
  };
  engine.jobs.events.on('event', onEvent);
  engine.jobs.events.on('note', onNote);
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    onJob: (job) => ids.add(job.id),
    notes,
    stop: () => {
      engine.jobs.events.off('event', onEvent);
      engine.jobs.events.off('note', onNote);
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
