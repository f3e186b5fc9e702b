/** An Engine on a temporary data folder, and waiting for its jobs. */
import type { Job } from '../../src-shared/jobs.js';
import { Engine } from '../../src-main/engine/engine.js';
import { removeTempDir, tempHome } from './temp.js';

export interface TempEngine {
  home: string;
  engine: Engine;
  /** Shuts the engine down (jobs stop at a safe point) and removes its data folder. */
  close(): Promise<void>;
}

/** Opens an Engine on a fresh data folder. */
export function openTempEngine(): TempEngine {
  const home = tempHome();
  const engine = Engine.open(home);
  return {
    home,
    engine,
    async close() {
      if (engine.db.open) await engine.shutdown();
      removeTempDir(home);
    },
  };
}

/** True once a job has ended: done, failed or cancelled. */
export function hasEnded(job: Job | undefined): job is Job {
  return job !== undefined && job.state !== 'queued' && job.state !== 'running';
}

/** Resolves with the job once it has ended (the engine runs jobs in the background, after the call that queued them). */
export function jobSettled(engine: Engine, id: number): Promise<Job> {
  return new Promise((resolve) => {
    const check = (): void => {
      const job = engine.jobs.get(id);
      if (!hasEnded(job)) return;
      engine.events.off('event', check);
      resolve(job);
    };
    engine.events.on('event', check);
    check();
  });
}
