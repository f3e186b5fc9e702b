import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src-shared/api.js';
import type { Job } from '../../../src-shared/jobs.js';
import { ImportResult } from '../../../src-shared/recordings.js';
import { handle } from '../../../src-main/engine/api/handlers.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { makeVideo } from '../../fixtures/make-video.js';

let clips: string[] = [];
const homes: string[] = [];
const engines: Engine[] = [];

beforeAll(async () => {
  // Three different clips (different content, so none is a duplicate of another).
  clips = await Promise.all(
    [2, 3, 4].map((durationS) => makeVideo({ durationS, width: 160, height: 90, background: '0x405060' })),
  );
}, 300_000);

afterEach(async () => {
  for (const e of engines.splice(0)) await e.shutdown();
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

/** A data folder and a folder of footage: the three clips, a broken one and a text file. */
function setup(): { engine: Engine; footage: string; events: EngineEvent[] } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-import-job-'));
  homes.push(home);
  const footage = path.join(home, 'footage');
  fs.mkdirSync(path.join(footage, 'cam2'), { recursive: true });
  fs.copyFileSync(clips[0]!, path.join(footage, 'a.mp4'));
  fs.copyFileSync(clips[1]!, path.join(footage, 'b.mp4'));
  fs.copyFileSync(clips[2]!, path.join(footage, 'cam2', 'c.mp4'));
  fs.writeFileSync(path.join(footage, 'cam2', 'broken.mp4'), 'not a video at all');
  fs.writeFileSync(path.join(footage, 'notes.txt'), 'shift log');
  const engine = Engine.open(home);
  engines.push(engine);
  const events: EngineEvent[] = [];
  engine.events.on('event', (e) => events.push(e));
  return { engine, footage, events };
}

async function ended(engine: Engine, id: number): Promise<Job> {
  for (;;) {
    const job = engine.jobs.get(id);
    if (job && job.state !== 'queued' && job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('library.import as a job', () => {
  it('answers at once with a queued job, imports the folder in the background and hands back what it did', async () => {
    const { engine, footage, events } = setup();
    const { job } = (await handle(engine, 'library.import', { paths: [footage] })) as { job: Job };
    expect(job).toMatchObject({ type: 'import', state: 'queued', progress: 0, result: null });
    expect(engine.recordings.list()).toEqual([]);
    const done = await ended(engine, job.id);
    expect(done).toMatchObject({ state: 'done', progress: 1, error: null });
    const result = ImportResult.parse(done.result);
    expect(result.imported.map((r) => path.relative(footage, r.path))).toEqual(['a.mp4', 'b.mp4', 'cam2/c.mp4']);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]?.path).toBe(path.join(footage, 'cam2', 'broken.mp4'));
    expect(result.skipped[0]?.reason).not.toBe('');
    expect(engine.recordings.list().map((r) => path.basename(r.path))).toEqual(['a.mp4', 'b.mp4', 'c.mp4']);
    // Progress went up file by file, and the windows heard of the library changing.
    const progress = events.flatMap((e) => (e.kind === 'job-updated' && e.job.id === job.id ? [e.job.progress] : []));
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(progress.filter((p) => p > 0 && p < 1).length).toBeGreaterThan(0);
    expect(events.some((e) => e.kind === 'library-changed')).toBe(true);
  });

  it('cancelled while it runs, keeps the files imported before the cancel and ends cancelled', async () => {
    const { engine, footage, events } = setup();
    engine.kick = () => undefined; // run it below, to cancel it between files
    const { job } = (await handle(engine, 'library.import', { paths: [footage] })) as { job: Job };
    engine.events.on('event', (e) => {
      if (e.kind === 'library-changed' && engine.recordings.list().length === 1) engine.jobs.cancel(job.id);
    });
    await engine.jobs.drain();
    const end = engine.jobs.get(job.id);
    expect(end).toMatchObject({ state: 'cancelled', error: null });
    const kept = engine.recordings.list();
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(3);
    expect(events.some((e) => e.kind === 'library-changed')).toBe(true);
  });

  it('refuses a bad call with a usage error and queues nothing', async () => {
    const { engine } = setup();
    await expect(handle(engine, 'library.import', { paths: [] })).rejects.toThrow(/library\.import: paths/);
    expect(engine.jobs.list()).toEqual([]);
  });
});
