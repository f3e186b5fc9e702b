/**
 * The estimate of a query before it runs, on a real engine and SQLite file: it follows the costs
 * measured by earlier runs (a slower run raises the next estimate), and says plainly when none
 * is measured yet. Nothing here is timed: the runs' costs are folded from the timings they state.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calls } from '../../../src-shared/api.js';
import { describeEstimate } from '../../../src-shared/estimate.js';
import { handle } from '../../../src-main/engine/api/handlers.js';
import { estimateQuery } from '../../../src-main/engine/api/estimate.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { UsageError } from '../../../src-main/engine/errors.js';
import { writeModelFolder } from '../../fixtures/model-folder.js';
import { seedRecording } from '../../fixtures/seed-store.js';
import { removeTempDirs, tempHome } from '../../support/temp.js';

let engine: Engine;
let one: number;
let two: number;

/** A stored scan of `tokens` visual tokens, in frames of 64. */
function scan(recordingId: number, durationS: number, tokens: number): void {
  const frames = Array.from({ length: tokens / 64 }, (_, i) => ({ t: i * 0.5, width: 224, height: 126, tokens: 64 }));
  engine.scans.upsert({
    recordingId,
    jobId: null,
    budgetTokens: 16384,
    params: { v: 1 },
    durationS,
    changePoints: [],
    frames,
    visualTokens: tokens,
    uniformTokens: tokens * 2,
    analysisFps: 4,
    activity: new Float32Array(4),
    warnings: [],
  });
}

/** A finished run of model A on the CPU, as its ground job folds it: its timings, not a clock. */
function run(totalMs: number, decodeMs = 1_000): void {
  engine.costs.recordRun('A', 'cpu', { totalMs, decodeMs, plannedTokens: 2_048, durationS: 60 });
}

beforeEach(() => {
  const home = tempHome();
  writeModelFolder(path.join(home, 'models', 'A'), {
    name: 'A',
    family: 'qwen2_vl',
    profile: 'qwen2-vl',
    source: 'test',
  });
  engine = Engine.open(home);
  one = seedRecording(engine.recordings, { path: '/videos/one.mp4', fingerprint: 'one', durationS: 60 });
  two = seedRecording(engine.recordings, { path: '/videos/two.mp4', fingerprint: 'two', durationS: 120 });
  scan(one, 60, 1_024);
  scan(two, 120, 4_096);
});

afterEach(() => {
  engine.close();
  removeTempDirs();
});

describe('estimateQuery', () => {
  it('says no cost is measured yet for the model on the device, and invents none', async () => {
    const e = await estimateQuery(engine, { recordingIds: [one], device: 'cpu' });
    expect(e).toMatchObject({ model: 'A', device: 'cpu', seconds: null, basis: 'none', runs: 0 });
    expect(e.perRecording).toEqual([{ recordingId: one, seconds: null, visualTokens: 1_024, scanned: true }]);
    expect(describeEstimate(e)).toBe('no cost measured yet for A on cpu on this machine; the first query measures it');
  });

  it("gives each recording's planned tokens times the measured rates", async () => {
    run(5_096); // (5096 - 1000) ms over 2048 tokens: 2 ms a token; 1000 ms of decoding a minute
    const e = await estimateQuery(engine, { recordingIds: [one, two] });
    expect(e).toMatchObject({ basis: 'measured', runs: 1 });
    expect(e.perRecording.map((r) => r.seconds)).toEqual([(1_024 * 2 + 1_000) / 1000, (4_096 * 2 + 2 * 1_000) / 1000]);
    expect(e.seconds).toBeCloseTo(3.048 + 10.192, 9);
    expect(describeEstimate(e)).toBe('About 13 s on this machine for 2 recordings (A on cpu, from 1 run)');
  });

  it('says a time under a second as such', async () => {
    run(1_002); // 0.001 ms a token, and 1 s of decoding a minute: 1.001 s for one minute of footage
    const e = await estimateQuery(engine, { recordingIds: [one] });
    expect(describeEstimate({ ...e, seconds: 0.4 })).toBe(
      'Under a second on this machine for 1 recording (A on cpu, from 1 run)',
    );
    expect(describeEstimate(e)).toBe('About 1 s on this machine for 1 recording (A on cpu, from 1 run)');
  });

  it('follows the measured costs: a slower run raises the next estimate, a faster one lowers it', async () => {
    run(5_096);
    const first = (await estimateQuery(engine, { recordingIds: [] })).seconds as number;
    run(21_480); // 10 ms a token: slower
    const slower = await estimateQuery(engine, { recordingIds: [] });
    expect(slower.runs).toBe(2);
    expect(slower.seconds).toBeGreaterThan(first);
    run(2_024); // 0.5 ms a token: faster
    const faster = (await estimateQuery(engine, { recordingIds: [] })).seconds as number;
    expect(faster).toBeLessThan(slower.seconds as number);
    expect(faster).toBeGreaterThan(0);
  });

  it('counts a recording not scanned yet at the tokens per minute of the scanned ones, and its scan when measured', async () => {
    run(5_096);
    const three = seedRecording(engine.recordings, { path: '/videos/three.mp4', fingerprint: 'three', durationS: 30 });
    const unmeasured = await estimateQuery(engine, { recordingIds: [one, two, three] });
    const guess = unmeasured.perRecording.find((r) => r.recordingId === three);
    // (1024 + 4096) tokens over 3 minutes, for half a minute.
    expect(guess).toEqual({ recordingId: three, seconds: (853 * 2 + 500) / 1000, visualTokens: 853, scanned: false });
    expect(unmeasured.notes).toEqual([
      '1 not scanned yet: counted at 1707 visual tokens per minute, as the scanned ones',
      'scan time not measured yet on this machine: the scans the query makes first are not counted',
    ]);
    engine.costs.recordScan(4_000);
    const measured = await estimateQuery(engine, { recordingIds: [three] });
    // Alone, it has no scanned neighbour: its scan budget counts, and its scan (4 s a minute).
    expect(measured.perRecording[0]).toMatchObject({ visualTokens: 16_384, scanned: false });
    expect(measured.perRecording[0]?.seconds).toBeCloseTo((16_384 * 2 + 500 + 2_000) / 1000, 9);
  });

  it('checks the model and device as a query would, and the recordings', async () => {
    await expect(estimateQuery(engine, { recordingIds: [one], model: 'nope' })).rejects.toThrow(
      /no model named 'nope'/,
    );
    await expect(estimateQuery(engine, { recordingIds: [99] })).rejects.toThrow(/no recording with id 99/);
    await expect(estimateQuery(engine, { recordingIds: [one], device: 'tpu' })).rejects.toThrow(UsageError);
  });
});

describe('query.estimate', () => {
  it("answers for the settings' model and device over the whole library, in the contract's shape", async () => {
    run(5_096);
    const out = calls['query.estimate'].output.parse(await handle(engine, 'query.estimate', { recordingIds: [] }));
    expect(out).toMatchObject({ model: 'A', device: 'cpu', basis: 'measured', runs: 1 });
    expect(out.perRecording.map((r) => r.recordingId)).toEqual([one, two]);
    await expect(handle(engine, 'query.estimate', { recordingIds: 'all' })).rejects.toThrow(/recordingIds/);
  });
});
