/**
 * The Model quality calls through `handle` (input checked by the contract) on a real engine and
 * SQLite file holding the hand-built reviewed library; every answer must satisfy the contract's
 * output schema, as the renderer's client checks it.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calls, type CallName, type CallOutput } from '../../../src-shared/api.js';
import { handle } from '../../../src-main/engine/api/handlers.js';
import { weekStart } from '../../../src-main/engine/api/quality.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { fitCalibrator } from '../../../src-main/engine/learning/calibration.js';
import { verdictEval } from '../../../src-main/engine/learning/verdict-eval.js';
import {
  buildReviewedLibrary,
  QUERY,
  seedThirtyReviewed,
  type ReviewedLibrary,
} from '../../fixtures/reviewed-library.js';
import { seedRun } from '../../fixtures/seed-store.js';
import { writeModelFolder } from '../../fixtures/model-folder.js';
import { removeTempDirs, tempHome } from '../../support/temp.js';

let home: string;
let engine: Engine;
let lib: ReviewedLibrary;

beforeEach(() => {
  home = tempHome();
  writeModelFolder(path.join(home, 'models', 'A'), {
    name: 'A',
    family: 'qwen2_vl',
    profile: 'qwen2-vl',
    source: 'test',
  });
  writeModelFolder(path.join(home, 'models', 'tuned'), {
    name: 'tuned',
    family: 'qwen2_vl',
    profile: 'qwen2-vl',
    source: 'test',
  });
  engine = Engine.open(home);
  lib = buildReviewedLibrary(engine.db);
});

afterEach(() => {
  engine.close();
  removeTempDirs();
});

/** Calls through the contract and checks the answer against its output schema. */
async function call<K extends CallName>(name: K, input: unknown): Promise<CallOutput<K>> {
  const out = await handle(engine, name, input);
  return calls[name].output.parse(out) as CallOutput<K>;
}

describe('quality.compare', () => {
  it("gives verdictEval's scores for every model with runs or installed, and which are installed", async () => {
    const out = await call('quality.compare', {});
    const expected = verdictEval(engine, ['A', 'B', 'tuned']);
    expect(out.pairs).toBe(4);
    expect(out.unknown).toBe(1);
    expect(out.models.map((m) => [m.model, m.installed, m.n])).toEqual([
      ['A', true, 4],
      ['B', false, 4],
      ['tuned', true, 0],
    ]);
    expect(out.models.map(({ installed: _, ...score }) => score)).toEqual(expected.models);
    // The fixture's model A: watch 51 of 350 s at recall 2/3.
    expect(out.models[0]?.reviewLoad.share).toBeCloseTo(51 / 350, 10);
    expect(out.models[0]?.reviewLoad.recall).toBeCloseTo(2 / 3, 10);
  });

  it('scores only the models named', async () => {
    const out = await call('quality.compare', { models: ['B', 'B'] });
    expect(out.models.map((m) => m.model)).toEqual(['B']);
    expect(out.models[0]?.refusal).toEqual({ refused: 2, precision: 0.5, recall: 1 });
  });

  it("gives a two-stage model's audit: the share of the refused windows audited where a moment was found", async () => {
    const r1 = lib.recordings.r1;
    seedRun(engine.runs, {
      query: QUERY,
      recordingId: r1,
      modelName: 'B',
      settings: { stages: { audit: { audited: [0, 3, 5, 8], found: 1 } }, segmentStages: ['refined'] },
      segments: [{ startS: 12, endS: 22, confidence: 0.8 }],
    });
    const out = await call('quality.compare', { models: ['A', 'B'] });
    expect(out.models[0]?.audit).toBeUndefined();
    expect(out.models[1]?.audit).toEqual({ runs: 1, audited: 4, found: 1, share: 0.25 });
  });

  it('is a usage error for a bad input', async () => {
    await expect(handle(engine, 'quality.compare', { models: [''] })).rejects.toMatchObject({ name: 'UsageError' });
    await expect(handle(engine, 'quality.history', {})).rejects.toThrow(/quality.history: model/);
  });
});

describe('quality.history', () => {
  /** Verdict ids 1-7 in the fixture's order; 2 is the undone accept. */
  function dateVerdicts(): void {
    const set = engine.db.prepare('UPDATE verdicts SET created_at = ? WHERE id BETWEEN ? AND ?');
    set.run('2025-03-04T10:00:00.000Z', 1, 3); // accepted (r1), undone, not-present (r1): week of Mon 3 March
    set.run('2025-03-12T10:00:00.000Z', 4, 5); // adjusted (r2), added (r3): week of 10 March
    set.run('2025-03-26T10:00:00.000Z', 6, 7); // not-present (r4), wrong-time (r5): week of 24 March
  }

  it('scores the reviewed set as it stood at the end of each week, empty weeks included', async () => {
    dateVerdicts();
    const { points } = await call('quality.history', { model: 'A' });
    expect(points.map((p) => [p.from.slice(0, 10), p.until.slice(0, 10), p.verdicts, p.pairs])).toEqual([
      ['2025-03-03', '2025-03-10', 2, 1],
      ['2025-03-10', '2025-03-17', 4, 3],
      ['2025-03-17', '2025-03-24', 4, 3],
      ['2025-03-24', '2025-03-31', 6, 4],
    ]);
    // Week 1: r1 only, found. Week 2: r1, r2 (IoU 0.8), r3 (refused).
    expect(points[0]?.score).toMatchObject({ n: 1, present: 1, r1At05: 1, mIoU: 1 });
    expect(points[1]?.score.r1At05).toBeCloseTo(2 / 3, 10);
    expect(points[1]?.score.mIoU).toBeCloseTo((1 + 0.8 + 0) / 3, 10);
    expect(points[2]?.score).toEqual(points[1]?.score);
    // The last week is the whole reviewed set: what quality.compare gives.
    const { models } = await call('quality.compare', { models: ['A'] });
    const { installed: _, ...score } = models[0]!;
    expect(points[3]?.score).toEqual(score);
  });

  it('gives n = 0 points to a model without runs, and no points before any verdict', async () => {
    // Every verdict was given this week: one point.
    const { points } = await call('quality.history', { model: 'nobody' });
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ verdicts: 6, pairs: 4, score: { n: 0, r1At05: null } });
    engine.db.prepare('DELETE FROM verdicts').run();
    expect((await call('quality.history', { model: 'A' })).points).toEqual([]);
  });

  it('starts weeks on Monday, midnight UTC', () => {
    const monday = Date.parse('2025-03-03T00:00:00.000Z');
    expect(weekStart(Date.parse('2025-03-09T23:59:59.999Z'))).toBe(monday);
    expect(weekStart(monday)).toBe(monday);
    expect(weekStart(Date.parse('2025-03-10T00:00:00.000Z'))).toBe(monday + 7 * 86_400_000);
  });
});

describe('quality.reliability and quality.calibrate', () => {
  it('shows the labelled segments before calibration, none after below 30, and no calibrator yet', async () => {
    const out = await call('quality.reliability', { model: 'A' });
    expect(out).toMatchObject({ model: 'A', minimum: 30, after: null, calibrator: null });
    // Labels 0.9 right, 0.3 wrong, 0.6 right, 0.2 wrong, 0.4 wrong: one per bin.
    expect(out.before.n).toBe(5);
    expect(out.before.bins.map((b) => [b.from, b.n, b.confidence, b.accuracy])).toEqual([
      [0.2, 1, 0.2, 0],
      [0.3, 1, 0.3, 0],
      [0.4, 1, 0.4, 0],
      [0.6, 1, 0.6, 1],
      [0.9, 1, 0.9, 1],
    ]);
  });

  it('refits: identity below 30 labelled segments, stored and then shown', async () => {
    const fitted = await call('quality.calibrate', { model: 'A' });
    expect(fitted.calibrator).toMatchObject({ method: 'identity', n: 5, positives: 2 });
    expect(fitted.after).toBeNull();
    expect(await call('quality.reliability', { model: 'A' })).toEqual(fitted);
  });

  it("refits isotonic on 30 and gives the cross-validated 'after' that tempo calibrate gives", async () => {
    seedThirtyReviewed(engine.db, lib.recordings.r1, 'M');
    const before = await call('quality.reliability', { model: 'M' });
    expect(before.calibrator).toBeNull();
    expect(before.after).not.toBeNull();
    const fitted = await call('quality.calibrate', { model: 'M' });
    expect(fitted.calibrator).toMatchObject({ method: 'isotonic', n: 30, positives: 12 });
    const cli = fitCalibrator(engine, 'M');
    expect(fitted.before).toEqual(cli.before);
    expect(fitted.after).toEqual(cli.after);
    expect(before.after).toEqual(cli.after);
  });

  it('will not calibrate a model without runs', async () => {
    await expect(handle(engine, 'quality.calibrate', { model: 'tuned' })).rejects.toThrow(
      'model tuned has no runs yet: nothing to calibrate',
    );
    expect(engine.db.prepare('SELECT COUNT(*) AS n FROM calibrators').get()).toEqual({ n: 0 });
  });
});

describe('quality.run', () => {
  it('queues one ground job per reviewed pair the model has not answered, under the model and device of the settings', async () => {
    let kicked = 0;
    engine.kick = () => void kicked++;
    const out = await call('quality.run', { model: 'tuned' });
    // Every reviewed pair with a known truth ('tuned' has run none); pairs with only wrong-time/partly rejections are not scored.
    expect(out.jobs.length).toBe(verdictEval(engine, ['tuned']).pairs);
    expect(new Set(out.jobs.map((j) => j.type))).toEqual(new Set(['ground']));
    expect(out.jobs[0]!.payload).toMatchObject({ target: { kind: 'local', device: 'cpu' } });
    expect(kicked).toBe(1);
    const names = await call('quality.compare', { models: ['tuned'] });
    expect(names.models[0]).toMatchObject({ model: 'tuned', n: 0, installed: true });
  });

  it('says which model is unknown', async () => {
    await expect(handle(engine, 'quality.run', { model: 'nope' })).rejects.toThrow(/no model named 'nope'/);
  });
});
