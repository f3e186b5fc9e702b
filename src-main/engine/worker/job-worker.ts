/**
 * The job worker of `tempo serve`: a worker thread with its own Engine on the same data
 * folder. It runs the queued jobs (ffmpeg, SAA, preprocessing, inference) so the thread
 * that serves the UI never does, and reports every job change to it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from '../engine.js';
import type { WorkerMessage, WorkerReport } from './job-runner.js';

const port = parentPort;
if (!port) throw new Error('job-worker.ts runs as a worker thread');
const engine = Engine.open((workerData as { home: string }).home);
const report = (m: WorkerReport) => port.postMessage(m);
engine.jobs.events.on('event', (e) => report({ type: 'event', event: e }));

let draining = false;
let again = false;
async function drain(): Promise<void> {
  if (draining) {
    again = true;
    return;
  }
  draining = true;
  try {
    do {
      again = false;
      await engine.jobs.drain();
    } while (again);
  } catch (err) {
    report({ type: 'error', message: (err as Error).message });
  } finally {
    draining = false;
  }
}

port.on('message', (m: WorkerMessage) => {
  if (m.type === 'drain') void drain();
  else if (m.type === 'token') engine.serverTokens.set(m.url, m.token);
  else if (m.type === 'stop') {
    void engine.shutdown().then(() => {
      report({ type: 'stopped' });
      port.close();
    });
  }
});
report({ type: 'ready' });
void drain();
