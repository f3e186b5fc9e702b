/**
 * A finished two-stage run folds each stage's measured cost into `costs` under its own model and
 * device, per visual token of the frame plan the stage read (as a one-stage run is kept), and
 * keeps with the run what share of its plan the second stage read: what the next two-stage
 * estimate expects. Real SQLite; the stages' times are the ones the run states, no clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import type { WindowOutcome } from '../../../src-main/engine/grounding/window-answers.js';
import { runRecord } from '../../../src-main/engine/jobs/ground-job.js';
import type { Resolved } from '../../../src-main/engine/jobs/ground-target.js';
import { foldTwoStageCost } from '../../../src-main/engine/jobs/two-stage-cost.js';
import type { Candidate, StagedOutput } from '../../../src-main/engine/jobs/two-stage-run.js';
import { getProfile } from '../../../src-main/engine/models/profiles/index.js';
import { CostsRepo } from '../../../src-main/engine/store/costs.js';
import { RecordingsRepo } from '../../../src-main/engine/store/recordings.js';
import { RunsRepo } from '../../../src-main/engine/store/runs.js';
import { seedRecording } from '../../fixtures/seed-store.js';
import { openTempStore } from '../../support/store.js';

let store: ReturnType<typeof openTempStore>;
let costs: CostsRepo;
let runs: RunsRepo;
let recordingId: number;
beforeEach(() => {
  store = openTempStore();
  costs = new CostsRepo(store.db);
  runs = new RunsRepo(store.db);
  recordingId = seedRecording(new RecordingsRepo(store.db), { path: '/v/one.mp4', fingerprint: 'one', durationS: 60 });
});
afterEach(() => store.close());

/** One frame a second: 448x224 (128 tokens) on even seconds, 224x112 (32 tokens) on odd ones; 4800 in all. */
const frames: PlannedFrame[] = Array.from({ length: 60 }, (_, t) =>
  t % 2 === 0 ? { t, width: 448, height: 224, tokens: 128 } : { t, width: 224, height: 112, tokens: 32 },
);

const win = (index: number, startS: number, endS: number, refused: boolean): WindowOutcome => ({
  index,
  startS,
  endS,
  frames: 20,
  visualTokens: 1_600,
  answers: [],
  refused,
});

const stage = { windows: 1, visualTokens: 1_000, segments: 1 };

/**
 * A two-stage run over the 60 s plan: the candidate (capped at 224x112: 60 x 32 = 1920 tokens)
 * asked 3 windows in 5 s (1.16 s decoding); stage 2 refined 10-20 s (800 planned tokens) and
 * audited the window 40-60 s (1600), 5.1 s with 0.3 s decoding.
 */
function output(reused = 0): StagedOutput {
  return {
    segments: [],
    refused: true,
    windows: [win(0, 0, 20, false), win(1, 20, 40, true), win(2, 40, 60, true)],
    reused,
    refinesReused: 0,
    notes: [],
    timings: { totalMs: 10_100, decodeMs: 1_460, modelMs: 0, refineMs: 0 },
    frames: { cached: 0, decoded: 120 },
    visualTokens: 7_000,
    stages: {
      candidate: {
        ...stage,
        model: 'small',
        device: 'cpu',
        windows: 3,
        ms: 5_000,
        decodeMs: 1_160,
        samples: 2,
        maxPixels: 224 * 112,
        refineBelow: 0.6,
        unsure: 1,
      },
      refine: { ...stage, model: 'big', device: 'cpu', ms: 3_000, decodeMs: 200, spans: [{ startS: 10, endS: 20 }] },
      audit: {
        ...stage,
        model: 'big',
        device: 'cpu',
        ms: 2_100,
        decodeMs: 100,
        share: 0.05,
        seed: 1,
        refused: 2,
        audited: [2],
        found: 0,
        missedShare: 0,
      },
    },
    stageWindows: { refine: [win(0, 10, 20, true)], audit: [win(0, 40, 60, true)] },
  };
}

function resolved(modelName: string): Resolved {
  return {
    backend: { modelName, device: 'cpu', pairsFrames: false } as unknown as Resolved['backend'],
    profileName: 'qwen2-vl',
    contextTokens: 8192,
    modelName,
    settings: {},
    loadMs: 0,
    encodedBefore: () => 0,
  };
}

const big = resolved('big');
const plan = { candidateSamples: 2, refineBelow: 0.6, auditShare: 0.05 };
const candidate: Candidate = {
  r: resolved('small'),
  plan: { ...plan, candidates: { kind: 'local', modelDir: '/models/small', device: 'cpu' } },
};
const finish = (out: StagedOutput, scanMs: number | null = null) =>
  foldTwoStageCost({ costs }, big, candidate, { out, frames, rec: { durationS: 60 } as never }, scanMs);

describe('a finished two-stage run', () => {
  it("folds each stage's cost under its own model and device, per planned visual token it read", () => {
    finish(output(), 6_000);
    // (5000 - 1160) ms over the candidate's 1920 capped tokens; 1160 ms decoding over the minute.
    expect(costs.get('small', 'cpu')).toMatchObject({ tokenMs: 2, decodeMsPerMin: 1_160, runs: 1 });
    // Refine and audit: (5100 - 300) ms over the 2400 planned tokens of their 30 s; 300 ms over half a minute.
    expect(costs.get('big', 'cpu')).toMatchObject({ tokenMs: 2, decodeMsPerMin: 600, runs: 1 });
    expect(costs.scan()).toMatchObject({ scanMsPerMin: 6_000, runs: 1 });
  });

  it('folds only the second stage when the first took answers stored before (a query taken up again)', () => {
    finish(output(2));
    expect(costs.get('small', 'cpu')).toBeUndefined();
    expect(costs.get('big', 'cpu')).toMatchObject({ tokenMs: 2, runs: 1 });
  });

  it('folds no second stage that asked nothing', () => {
    const out = output();
    const stages = out.stages as NonNullable<StagedOutput['stages']>;
    finish({
      ...out,
      stages: { ...stages, refine: { ...stages.refine, spans: [] }, audit: { ...stages.audit, audited: [] } },
    });
    expect(costs.get('small', 'cpu')).toMatchObject({ runs: 1 });
    expect(costs.get('big', 'cpu')).toBeUndefined();
  });

  it('is stored with the share of its plan the second stage read, which the next estimate takes', () => {
    expect(costs.stageShare('small', 0.6, 0.05)).toBeUndefined();
    const profile = getProfile('qwen2-vl');
    if (!profile) throw new Error('no qwen2-vl profile');
    const a = { jobId: 0, rec: { id: recordingId, durationS: 60 } as never, r: big, candidate, profile, scanMs: null };
    const p = { query: 'q', samples: 3, budgetTokens: 16_384 };
    const record = runRecord({}, { ...a, p, out: output(), frames }, 0, 0);
    runs.insert({ ...record, scanId: null, jobId: null });
    const stored = runs.get(1)?.settings as { stages: { planned: unknown } };
    expect(stored.stages.planned).toEqual({ full: 4_800, candidate: 1_920, refine: 800, audit: 1_600 });
    expect(costs.stageShare('small', 0.6, 0.05)).toEqual({ share: 0.5, runs: 1 });
    // Another threshold or audit share is another split: not taken.
    expect(costs.stageShare('small', 0.4, 0.05)).toBeUndefined();
    expect(costs.stageShare('tiny', 0.6, 0.05)).toBeUndefined();
  });
});
