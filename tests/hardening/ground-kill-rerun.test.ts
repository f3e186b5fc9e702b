/**
 * Issue 11, data and jobs: kill -9 during `tempo ground`, then the same ground again. The rerun
 * takes over the abandoned job: one query row, one run, no duplicate segments, and nothing
 * left queued that `tempo jobs run` would ground a second time.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GroundResult } from '../../src-main/engine/api/ground.js';
import { makeTinyQwen2VL } from '../fixtures/tiny-qwen2vl/generate.js';
import { makeVideo } from '../fixtures/make-video.js';
import { countRows as count, queryRows as rows } from '../support/store.js';
import { startTempo, tempHome, tempo, tempoJson } from '../support/tempo-cli.js';
import { until } from '../support/wait.js';

let clip: string;
let model: string;

beforeAll(async () => {
  clip = await makeVideo({
    durationS: 25,
    width: 320,
    height: 180,
    events: [{ kind: 'box', from: 6, to: 12, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
  });
  // A small context: the 25 s plan is cut into several windows, so the job runs a while.
  model = await makeTinyQwen2VL(path.join(tempHome(), 'tiny'), { contextTokens: 128, answer: '2-5' });
});

/** Waits until the ground job is running and has made some progress (two minutes at most). */
async function groundJobRunning(home: string, exited: () => boolean): Promise<void> {
  await until(
    'the ground job to run',
    () => {
      if (exited()) throw new Error('the ground job never ran: tempo exited first');
      const [job] = rows<{ state: string; progress: number }>(
        home,
        "SELECT state, progress FROM jobs WHERE type = 'ground'",
      );
      return job?.state === 'running' && job.progress > 0 ? true : undefined;
    },
    120_000,
    20,
  );
}

describe('kill -9 during tempo ground, then a rerun', () => {
  const args = (query: string) => ['ground', '1', query, '--model', model, '--samples', '2'];

  it('takes over the abandoned job: one query, one run, no duplicate segments, also after jobs run', async () => {
    const home = tempHome();
    await tempoJson(home, ['import', clip]);
    const { child, done } = startTempo(home, ['--json', ...args('a white box appears')]);
    let exited = false;
    void done.then(() => (exited = true));
    await groundJobRunning(home, () => exited);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    expect(count(home, 'runs')).toBe(0);

    const rerun = await tempoJson<GroundResult>(home, args('a white box appears'));
    expect(rerun.doc.segments.length).toBeGreaterThan(0);
    const after = await tempo(home, ['--json', 'jobs', 'run']);
    expect(after.code).toBe(0);

    expect(count(home, 'queries')).toBe(1);
    expect(count(home, 'runs')).toBe(1);
    expect(count(home, 'segments')).toBe(rerun.doc.segments.length);
    expect(rows(home, "SELECT state, attempts FROM jobs WHERE type = 'ground'")).toEqual([
      { state: 'done', attempts: 2 },
    ]);
  });

  it('a second terminal asking the same ground joins the job, and takes it over when the first is killed', async () => {
    const home = tempHome();
    await tempoJson(home, ['import', clip]);
    const first = startTempo(home, ['--json', ...args('a box')]);
    let exited = false;
    void first.done.then(() => (exited = true));
    await groundJobRunning(home, () => exited);
    // Stopped, the first cannot finish the job before the kill, however fast the model is: the
    // second terminal meets a job that is running and unfinished (its owner alive, then dead).
    first.child.kill('SIGSTOP');
    const second = startTempo(home, ['--json', ...args('a box')]);
    await sleep(1500);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const run = await second.done;
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as GroundResult;
    expect((await tempo(home, ['jobs', 'run'])).code).toBe(0);

    expect(count(home, 'queries')).toBe(1);
    expect(count(home, 'runs')).toBe(1);
    expect(count(home, 'segments')).toBe(doc.segments.length);
    expect(rows(home, "SELECT state FROM jobs WHERE type = 'ground'")).toEqual([{ state: 'done' }]);
  });
});
