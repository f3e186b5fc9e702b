import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeVideo, recipeBoundaries, type VideoRecipe } from '../../fixtures/make-video.js';
import { countRows, queryRows } from '../../support/store.js';
import { startTempo, stderrLines, tempHome, tempo, tempoJson } from '../../support/tempo-cli.js';
import { until } from '../../support/wait.js';

interface ScanDoc {
  recordingId: number;
  durationS: number;
  changePoints: number[];
  frames: { t: number; width: number; height: number; tokens: number }[];
  visualTokens: number;
  uniformTokens: number;
  warnings: string[];
}

const RECIPE: VideoRecipe = {
  durationS: 40,
  width: 640,
  height: 360,
  events: [
    { kind: 'box', from: 8.4, to: 15.8, x: 100, y: 80, w: 90, h: 90, color: 'white' },
    { kind: 'mover', from: 24, to: 30, x0: 0, y: 200, w: 60, h: 60, speed: 60, color: 'red' },
  ],
};
// A longer clip so a scan is still running when the test kills or cancels it.
const LONG: VideoRecipe = {
  durationS: 360,
  width: 640,
  height: 360,
  noise: 3,
  events: [{ kind: 'box', from: 100, to: 120, x: 10, y: 10, w: 100, h: 100, color: 'white' }],
};

let clip: string;
let long: string;
beforeAll(async () => {
  [clip, long] = await Promise.all([makeVideo(RECIPE), makeVideo(LONG)]);
});

/** The types of the jobs in the library's queue, oldest first (an import is a job too). */
function jobTypes(home: string): string[] {
  return queryRows<{ type: string }>(home, 'SELECT type FROM jobs ORDER BY id').map((r) => r.type);
}

/** Waits until a running job has made `min` progress (a minute at most). */
async function waitForProgress(home: string, min: number): Promise<void> {
  await until('the scan to get going', () => {
    const [row] = queryRows<{ progress: number }>(home, "SELECT progress FROM jobs WHERE state = 'running'");
    return row && row.progress >= min ? true : undefined;
  });
}

describe('tempo scan', () => {
  it('finds every event boundary, plans frames around each, spends fewer tokens than uniform sampling', async () => {
    const home = tempHome();
    await tempoJson(home, ['import', clip]);
    const { doc } = await tempoJson<ScanDoc>(home, ['scan', '1', '--budget', '8000']);
    expect(doc.recordingId).toBe(1);
    expect(doc.durationS).toBeCloseTo(40, 0);
    for (const b of recipeBoundaries(RECIPE)) {
      expect(
        doc.changePoints.some((c) => Math.abs(c - b) <= 0.5),
        `change point near ${b} in ${doc.changePoints}`,
      ).toBe(true);
      expect(
        doc.frames.some((f) => Math.abs(f.t - b) <= 0.5),
        `frame near ${b}`,
      ).toBe(true);
    }
    for (const f of doc.frames) {
      expect(f.width % 28).toBe(0);
      expect(f.height % 28).toBe(0);
      expect(f.tokens).toBe((f.width / 28) * (f.height / 28));
    }
    expect(doc.visualTokens).toBe(doc.frames.reduce((s, f) => s + f.tokens, 0));
    expect(doc.visualTokens).toBeLessThanOrEqual(8000);
    const largest = Math.max(...doc.frames.map((f) => f.tokens));
    expect(doc.uniformTokens).toBe(Math.ceil(doc.durationS * 2) * largest);
    expect(doc.visualTokens).toBeLessThan(doc.uniformTokens);
    expect(doc.warnings).toEqual([]);

    const list = await tempoJson<{ recordings: { scan: string }[] }>(home, ['list']);
    expect(list.doc.recordings[0]?.scan).toBe('done');
    // A second scan with the same budget returns the stored result without a new job.
    const again = await tempoJson<ScanDoc>(home, ['scan', clip, '--budget', '8000']);
    expect(again.doc).toEqual(doc);
    expect(jobTypes(home)).toEqual(['import', 'scan']);
  });

  it('keeps within a budget too small for its priorities and says what it gave up', async () => {
    const home = tempHome();
    await tempoJson(home, ['import', clip]);
    const { doc } = await tempoJson<ScanDoc>(home, ['scan', '1', '--budget', '256']);
    expect(doc.visualTokens).toBeLessThanOrEqual(256);
    expect(doc.warnings.length).toBeGreaterThan(0);
    const human = await tempo(home, ['scan', '1', '--budget', '256']);
    expect(human.stdout).toContain(`warning: ${doc.warnings[0]}`);
  });

  it('picks up a scan killed with SIGKILL on the next start and finishes it without duplicate rows', async () => {
    const home = tempHome();
    await tempoJson(home, ['import', long]);
    const { child, done } = startTempo(home, ['--json', 'scan', '1']);
    await waitForProgress(home, 0.2);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    expect(countRows(home, 'scans')).toBe(0);

    const jobs = await tempoJson<{ jobs: { state: string; attempts: number }[] }>(home, ['jobs']);
    expect(jobs.doc.jobs).toEqual([
      expect.objectContaining({ type: 'scan', state: 'queued', attempts: 1 }),
      expect.objectContaining({ type: 'import', state: 'done' }),
    ]);
    const resumed = await tempoJson<{ ran: unknown[]; jobs: { state: string; attempts: number }[] }>(home, [
      'jobs',
      'run',
    ]);
    expect(resumed.doc.ran).toEqual([expect.objectContaining({ type: 'scan', state: 'done', attempts: 2 })]);
    expect(resumed.doc.jobs).toEqual([
      expect.objectContaining({ type: 'scan', state: 'done', attempts: 2 }),
      expect.objectContaining({ type: 'import', state: 'done' }),
    ]);
    expect(countRows(home, 'scans')).toBe(1);
    expect(jobTypes(home)).toEqual(['import', 'scan']);
    const list = await tempoJson<{ recordings: { scan: string }[] }>(home, ['list']);
    expect(list.doc.recordings[0]?.scan).toBe('done');
  });

  it('cancels a running scan from another process: exit 1, job cancelled, no result rows', async () => {
    const home = tempHome();
    await tempoJson(home, ['import', long]);
    const { child, done } = startTempo(home, ['scan', '1']);
    await waitForProgress(home, 0.05);
    // Stopped while the cancel is asked, the scan cannot reach its end first however fast it is.
    child.kill('SIGSTOP');
    // Job 1 is the import; the scan is job 2.
    const cancel = await tempoJson<{ job: { id: number; type: string } }>(home, ['jobs', 'cancel', '2']);
    expect(cancel.doc.job).toMatchObject({ id: 2, type: 'scan' });
    child.kill('SIGCONT');
    const run = await done;
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('tempo: scan of recording 1 was cancelled');
    expect(countRows(home, 'scans')).toBe(0);
    const jobs = await tempoJson<{ jobs: { state: string }[] }>(home, ['jobs']);
    expect(jobs.doc.jobs[0]?.state).toBe('cancelled');
    const list = await tempo(home, ['list']);
    expect(list.code).toBe(0);
  });

  it('fails a scan of a file that vanished with one line and keeps the library', async () => {
    const home = tempHome();
    const copy = path.join(home, 'gone.mp4');
    fs.copyFileSync(clip, copy);
    await tempoJson(home, ['import', copy]);
    fs.rmSync(copy);
    const run = await tempo(home, ['scan', '1']);
    expect(run.code).toBe(1);
    expect(stderrLines(run)).toHaveLength(1);
    expect(run.stderr).toMatch(/^tempo: scan of recording 1 failed: /);
    const list = await tempoJson<{ recordings: { scan: string }[] }>(home, ['list']);
    expect(list.doc.recordings[0]?.scan).toBe('failed');
  });
});
