/**
 * The estimate of a two-stage query, on a real engine and SQLite file: the candidate model over
 * every window at its capped frame size, plus the refining backend over the share of the plan
 * that earlier two-stage runs here sent it, each at its own measured costs. Nothing is timed:
 * the costs are folded from the timings runs state, and a two-stage run's share from its record.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calls } from '../../../src-shared/api.js';
import { describeEstimate, describeStages } from '../../../src-shared/estimate.js';
import { estimateQuery } from '../../../src-main/engine/api/estimate.js';
import { handle } from '../../../src-main/engine/api/handlers.js';
import { setSettings } from '../../../src-main/engine/api/settings.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { writeModelFolder } from '../../fixtures/model-folder.js';
import { seedRecording, seedRun } from '../../fixtures/seed-store.js';
import { removeTempDirs, tempHome } from '../../support/temp.js';

let engine: Engine;
let one: number;
let two: number;

/** A stored scan of one frame a second: 448x224 (128 tokens) on even seconds, 224x112 (32) on odd ones. */
function scan(recordingId: number, durationS: number): void {
  const frames = Array.from({ length: durationS }, (_, t) =>
    t % 2 === 0 ? { t, width: 448, height: 224, tokens: 128 } : { t, width: 224, height: 112, tokens: 32 },
  );
  engine.scans.upsert({
    recordingId,
    jobId: null,
    budgetTokens: 16384,
    params: { v: 1 },
    durationS,
    changePoints: [],
    frames,
    visualTokens: durationS * 80,
    uniformTokens: durationS * 160,
    analysisFps: 4,
    activity: new Float32Array(4),
    warnings: [],
  });
}

/** A finished run's cost of a model on the CPU: `tokenMs` a planned token, 1 s of decoding a minute. */
function measured(model: string, tokenMs: number): void {
  engine.costs.recordRun(model, 'cpu', {
    totalMs: 1_000 + 1_000 * tokenMs,
    decodeMs: 1_000,
    plannedTokens: 1_000,
    durationS: 60,
  });
}

/** A two-stage run of 'small' (refining below 60%, auditing 5%) whose second stage read 20% of its plan. */
function twoStageRun(recordingId: number): void {
  const planned = { full: 4_800, candidate: 1_920, refine: 400, audit: 560 };
  const stages = { candidate: { model: 'small', refineBelow: 0.6 }, audit: { share: 0.05 }, planned };
  seedRun(engine.runs, { recordingId, modelName: 'big', settings: { stages }, segments: [] });
}

const twoStage = { candidates: 'small', model: 'big', device: 'cpu' };

beforeEach(() => {
  const home = tempHome();
  for (const name of ['small', 'big'])
    writeModelFolder(path.join(home, 'models', name), {
      name,
      family: 'qwen2_vl',
      profile: 'qwen2-vl',
      source: 'test',
    });
  engine = Engine.open(home);
  one = seedRecording(engine.recordings, { path: '/videos/one.mp4', fingerprint: 'one', durationS: 60 });
  two = seedRecording(engine.recordings, { path: '/videos/two.mp4', fingerprint: 'two', durationS: 120 });
  scan(one, 60); // 4800 tokens; 1920 at the candidate's 224x112
  scan(two, 120); // 9600; 3840
});

afterEach(() => {
  engine.close();
  removeTempDirs();
});

describe('the estimate of a two-stage query', () => {
  it('is below the refining backend alone once both stages are measured and a two-stage run showed its share', async () => {
    measured('small', 0.5);
    measured('big', 4);
    twoStageRun(one);
    const alone = await estimateQuery(engine, { recordingIds: [one, two], model: 'big', device: 'cpu' });
    // 14400 tokens at 4 ms and 3 minutes at 1 s.
    expect(alone.seconds).toBeCloseTo(57.6 + 3, 9);
    const e = await estimateQuery(engine, { recordingIds: [one, two], ...twoStage });
    expect(e).toMatchObject({ model: 'big', device: 'cpu', basis: 'measured', runs: 1, notes: [] });
    // The candidate: 5760 capped tokens at 0.5 ms and 3 minutes at 1 s; the refining backend: 20% of that at its rates.
    expect(e.twoStage).toMatchObject({
      candidate: { model: 'small', device: 'cpu', visualTokens: 5_760, runs: 1 },
      refine: { model: 'big', device: 'cpu', visualTokens: 2_880, share: 0.2, shareRuns: 1, runs: 1 },
    });
    expect(e.twoStage?.candidate.seconds).toBeCloseTo(2.88 + 3, 9);
    expect(e.twoStage?.refine.seconds).toBeCloseTo(0.2 * (57.6 + 3), 9);
    expect(e.seconds).toBeCloseTo(5.88 + 12.12, 9);
    expect(e.seconds).toBeLessThan(alone.seconds as number);
    expect(e.perRecording.map((r) => r.visualTokens)).toEqual([4_800, 9_600]);
    expect(describeEstimate(e)).toBe(
      'About 18 s on this machine for 2 recordings, in two stages (from 1 run and 1 run)',
    );
    expect(describeStages(e)).toBe(
      'Two stages: small on cpu reads the whole frame plan, then big on cpu about 20% of it, as 1 earlier two-stage run here sent',
    );
    expect(describeStages(alone)).toBeNull();
  });

  it('rises when the stored candidate rate is slower', async () => {
    measured('small', 0.5);
    measured('big', 4);
    twoStageRun(one);
    const before = (await estimateQuery(engine, { recordingIds: [], ...twoStage })).seconds as number;
    measured('small', 4.5); // folded: 2.5 ms a token
    const slower = await estimateQuery(engine, { recordingIds: [], ...twoStage });
    expect(slower.twoStage?.candidate.runs).toBe(2);
    expect(slower.seconds).toBeCloseTo(before + 5_760 * 0.002, 9);
  });

  it('counts the refining backend over every window, and says so, before any two-stage run here', async () => {
    measured('small', 0.5);
    measured('big', 4);
    twoStageRun(one); // another split (refining below 40%) has shown nothing
    const e = await estimateQuery(engine, { recordingIds: [one, two], ...twoStage, refineBelow: 0.4 });
    expect(e.twoStage?.refine).toMatchObject({ share: 1, shareRuns: 0, visualTokens: 14_400 });
    expect(e.seconds).toBeCloseTo(5.88 + 60.6, 9);
    expect(e.notes).toEqual([
      'no two-stage run with small refining below 40% and auditing 5% on this machine yet: the refining stage is counted over every window (an upper bound)',
    ]);
    expect(describeStages(e)).toMatch(
      /then big on cpu counted over all of it \(no two-stage run here yet: an upper bound\)$/,
    );
  });

  it('says which stage is not measured yet, and invents no time for it', async () => {
    twoStageRun(one);
    const none = await estimateQuery(engine, { recordingIds: [one], ...twoStage });
    expect(none).toMatchObject({ basis: 'none', seconds: null, runs: 0 });
    expect(none.perRecording[0]?.seconds).toBeNull();
    expect(describeEstimate(none)).toBe(
      'no cost measured yet for small on cpu nor big on cpu on this machine; the first two-stage query measures them',
    );
    measured('big', 4);
    const partial = await estimateQuery(engine, { recordingIds: [one], ...twoStage });
    expect(partial).toMatchObject({ basis: 'partial', runs: 1 });
    expect(partial.twoStage?.candidate.seconds).toBeNull();
    expect(partial.seconds).toBeCloseTo(0.2 * (4_800 * 0.004 + 1), 9);
    expect(partial.notes).toEqual([
      'no cost measured yet for small on cpu on this machine: the candidate stage is not counted',
    ]);
    expect(describeEstimate(partial)).toMatch(/^At least 4 s on this machine for 1 recording, in two stages/);
  });

  it("counts the candidate stage of a recording not scanned yet at the scanned ones' capped share", async () => {
    measured('small', 0.5);
    measured('big', 4);
    twoStageRun(one);
    const three = seedRecording(engine.recordings, { path: '/videos/three.mp4', fingerprint: 'three', durationS: 30 });
    const e = await estimateQuery(engine, { recordingIds: [one, three], ...twoStage });
    // 4800 tokens a minute as the scanned one: 2400, at its 40% capped share: 960.
    expect(e.twoStage?.candidate.visualTokens).toBe(1_920 + 960);
    expect(e.notes).toContain(
      "the candidate stage of the 1 not scanned yet is counted at 40% of their visual tokens, as the scanned ones' smaller frames",
    );
  });
});

describe('query.estimate with two stages in the settings', () => {
  it('prices the two stages, as query.run would ask them', async () => {
    measured('small', 0.5);
    measured('big', 4);
    twoStageRun(one);
    setSettings(engine, { model: 'big', candidateModel: 'small' });
    const out = calls['query.estimate'].output.parse(await handle(engine, 'query.estimate', { recordingIds: [] }));
    expect(out).toMatchObject({ model: 'big', device: 'cpu', basis: 'measured' });
    expect(out.twoStage?.refine.share).toBe(0.2);
    expect(out.seconds).toBeCloseTo(18, 9);
    // A model named in the call is one stage, as before.
    const named = calls['query.estimate'].output.parse(
      await handle(engine, 'query.estimate', { recordingIds: [], model: 'big' }),
    );
    expect(named.twoStage).toBeUndefined();
    expect(named.seconds).toBeCloseTo(60.6, 9);
  });
});
