import { Worker } from 'node:worker_threads';
import type { JobEvent } from '../../../src-shared/jobs.js';
import type { Engine } from '../engine.js';

export type WorkerMessage = { type: 'drain' } | { type: 'token'; url: string; token: string } | { type: 'stop' };
export type WorkerReport =
  { type: 'ready' } | { type: 'event'; event: JobEvent } | { type: 'error'; message: string } | { type: 'stopped' };

export interface JobRunner {
  stop(): Promise<void>;
}

/**
 * Moves an engine's job running into a worker thread: `engine.kick()` wakes the worker,
 * the worker's job events are re-emitted on the engine, server tokens follow it there.
 * `workerUrl` is the built job-worker.js: beside this file by default; a bundle that inlines
 * this module (Electron's main) passes the one it emitted beside itself.
 */
export function startJobWorker(
  engine: Engine,
  onError: (message: string) => void = () => undefined,
  workerUrl: URL = new URL('./job-worker.js', import.meta.url),
): JobRunner {
  const worker = new Worker(workerUrl, { workerData: { home: engine.paths.home } });
  const send = (m: WorkerMessage) => worker.postMessage(m);
  worker.on('message', (m: WorkerReport) => {
    if (m.type === 'event') engine.events.emit('event', m.event);
    else if (m.type === 'error') onError(m.message);
  });
  worker.on('error', (err) => onError(`job worker: ${err.message}`));
  engine.kick = () => send({ type: 'drain' });
  for (const [url, token] of engine.serverTokens) send({ type: 'token', url, token });
  engine.tokenEvents.on('token', (url, token) => send({ type: 'token', url, token }));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        // The worker's engine lets its running jobs reach a safe point first (up to 5 s: JobQueue.stop).
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 8000);
        worker.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        send({ type: 'stop' });
      }),
  };
}
