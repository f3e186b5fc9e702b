/**
 * Two-stage grounding on real decoded frames with two scripted backends that record what they
 * are asked: a candidate model that is sure of one box, unsure of a second and blind to a third,
 * and a refining backend that sees every box. Only the windows around the unsure candidate and
 * the audited refused windows reach the refining backend; the sure candidate is kept as it is;
 * each stage's windows and visual tokens are counted as they were sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import type { AskOptions, Asked, GroundingBackend } from '../../../src-main/engine/grounding/backend.js';
import type { GroundInput } from '../../../src-main/engine/grounding/pipeline.js';
import { groundTwoStage, type TwoStageOutput } from '../../../src-main/engine/grounding/two-stage.js';
import type { PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { boxAnswer, PROFILE, showsBox } from './box-clip.js';

let source: GroundInput['source'];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tempo-two-stage-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  const box = { kind: 'box' as const, x: 40, y: 40, w: 80, h: 80, color: 'white' };
  const clip = await makeVideo({
    durationS: 60,
    width: 320,
    height: 180,
    events: [
      { ...box, from: 12.2, to: 15.8 },
      { ...box, from: 32.2, to: 35.8 },
      { ...box, from: 50.2, to: 53.8 },
    ],
  });
  source = { file: clip, key: clip, sourceFps: 25 };
});

/** One 448x224 frame a second: 128 visual tokens each. */
const frames: PlannedFrame[] = Array.from({ length: 60 }, (_, i) => ({ t: i, width: 448, height: 224, tokens: 128 }));
const tokensOf = (fs: readonly PromptFrame[]) => fs.reduce((n, f) => n + (f.width * f.height) / 784, 0);

/** A backend that keeps, per question, the frames it was shown and the samples asked. */
abstract class Recording implements GroundingBackend {
  abstract readonly modelName: string;
  readonly device = 'scripted';
  readonly pairsFrames = false;
  readonly asked: { frames: PromptFrame[]; samples: number }[] = [];

  async ask(groups: readonly (readonly PromptFrame[])[], _instruction: string, opts: AskOptions): Promise<Asked> {
    this.asked.push({ frames: groups.flat(), samples: opts.samples });
    return this.answer(groups.flat(), opts.samples);
  }

  abstract answer(fs: readonly PromptFrame[], samples: number): Asked;
}

/** Sure of the box before 25 s, unsure of the one at 32 s, blind after 45 s. */
class Candidate extends Recording {
  readonly modelName = 'small';

  answer(fs: readonly PromptFrame[], samples: number): Asked {
    const seen = fs.filter((f) => showsBox(f) && f.t < 45).map((f) => f.t);
    if (seen.length === 0) return { texts: Array<string>(samples).fill(PROFILE.refusalText) };
    const text = `The event happens in ${Math.min(...seen)} - ${Math.max(...seen)} seconds.`;
    const sure = Math.min(...seen) < 25;
    const pref = sure ? { answerLogProb: -0.5, refusalLogProb: -3 } : { answerLogProb: -3, refusalLogProb: -0.5 };
    return { texts: Array<string>(samples).fill(text), compare: async () => pref };
  }
}

class Refiner extends Recording {
  readonly modelName = 'large';

  answer(fs: readonly PromptFrame[], samples: number): Asked {
    return boxAnswer([fs], samples);
  }
}

function run(candidate: Candidate, refiner: Refiner, audit: { share: number; seed?: number }) {
  return groundTwoStage({
    source,
    durationS: 60,
    query: 'a white box appears',
    frames,
    changePoints: [12.1, 15.9, 32.1, 35.9, 50.1, 53.9],
    candidate: { backend: candidate, profile: PROFILE, contextTokens: 256, samples: 2 },
    refine: { backend: refiner, profile: PROFILE, contextTokens: 1024, samples: 2 },
    refineBelow: 0.6,
    auditShare: audit.share,
    auditSeed: audit.seed,
    candidatePixels: 224 * 112,
  });
}

const inside = (t: number, spans: readonly { startS: number; endS: number }[]) =>
  spans.some((s) => t >= s.startS && t <= s.endS);
const near = (s: { startS: number; endS: number }, a: number, b: number) =>
  Math.abs(s.startS - a) <= 1.5 && Math.abs(s.endS - b) <= 1.5;

describe('groundTwoStage', () => {
  let out: TwoStageOutput;
  const candidate = new Candidate();
  const refiner = new Refiner();
  beforeAll(async () => {
    out = await run(candidate, refiner, { share: 0 });
  });

  it('asks the candidate every window at small frames with few samples and no dense look', () => {
    expect(candidate.asked).toHaveLength(out.windows.length);
    expect(candidate.asked.every((q) => q.samples === 2)).toBe(true);
    expect(candidate.asked.every((q) => q.frames.every((f) => f.width * f.height <= 224 * 112))).toBe(true);
    expect(out.windows.at(-1)?.endS).toBe(60);
    expect(out.stages.candidate).toMatchObject({ model: 'small', windows: out.windows.length, maxPixels: 224 * 112 });
    expect(out.stages.candidate.visualTokens).toBe(candidate.asked.reduce((n, q) => n + tokensOf(q.frames), 0));
  });

  it('sends the refining backend only the part around the unsure candidate, at full size, with the dense look', () => {
    const spans = out.stages.refine.spans;
    expect(spans).toHaveLength(1);
    expect(inside(33, spans)).toBe(true);
    expect(inside(14, spans) || inside(52, spans)).toBe(false);
    const windowsAsked = refiner.asked.filter((q) => q.samples === 2);
    expect(windowsAsked.length).toBe(out.stages.refine.windows);
    expect(windowsAsked.every((q) => q.frames.every((f) => f.width === 448 && inside(f.t, spans)))).toBe(true);
    // The dense look at the refined segment's boundaries: one sample, frames 4 a second.
    expect(refiner.asked.some((q) => q.samples === 1)).toBe(true);
    expect(out.stages.refine.visualTokens).toBe(refiner.asked.reduce((n, q) => n + tokensOf(q.frames), 0));
    expect(out.stages.audit).toMatchObject({ windows: 0, visualTokens: 0, audited: [], found: 0, missedShare: null });
  });

  it('keeps the sure candidate as it is and takes the refined one; the box the candidate missed stays missed', () => {
    expect(out.segments.map((s) => s.stage).sort()).toEqual(['candidate', 'refined']);
    const kept = out.segments.find((s) => s.stage === 'candidate')!;
    // Exactly the candidate's answer (whole seconds of its frames), not moved by a dense look or a snap.
    expect(Number.isInteger(kept.startS) && Number.isInteger(kept.endS)).toBe(true);
    expect(near(kept, 12.2, 15.8)).toBe(true);
    expect(kept.confidence).toBeGreaterThanOrEqual(0.6);
    expect(
      near(
        out.segments.find((s) => s.stage === 'refined')!,
        32.2,
        35.8,
      ),
    ).toBe(true);
    expect(out.stages.candidate).toMatchObject({ unsure: 1, segments: 1, refineBelow: 0.6 });
    expect(out.stages.refine.segments).toBe(1);
  });
});

describe('the audit of refused windows', () => {
  it('sends the drawn refused windows to the refining backend and counts the moments the candidate missed', async () => {
    const refiner = new Refiner();
    const out = await run(new Candidate(), refiner, { share: 1, seed: 11 });
    const refused = out.windows.filter((w) => w.refused);
    expect(out.stages.audit).toMatchObject({ share: 1, seed: 11, refused: refused.length });
    expect(out.stages.audit.audited).toEqual(refused.map((w) => w.index));
    expect(out.stageWindows.audit.length).toBe(out.stages.audit.windows);
    // Only the windows holding the third box (seen by the refining backend, not the candidate) found a moment.
    const holding = refused.filter((w) => w.startS < 53.8 && w.endS > 50.2);
    expect(out.stages.audit.found).toBe(holding.length);
    expect(out.stages.audit.missedShare).toBeCloseTo(holding.length / refused.length, 6);
    const audit = out.segments.filter((s) => s.stage === 'audit');
    expect(audit).toHaveLength(1);
    expect(near(audit[0]!, 50.2, 53.8)).toBe(true);
    expect(out.segments.map((s) => s.stage).sort()).toEqual(['audit', 'candidate', 'refined']);
  });

  it('draws the same windows from the same seed, and records a seed when none is given', async () => {
    const a = await run(new Candidate(), new Refiner(), { share: 0.3, seed: 5 });
    const b = await run(new Candidate(), new Refiner(), { share: 0.3, seed: 5 });
    expect(a.stages.audit.audited.length).toBeGreaterThan(0);
    expect(b.stages.audit.audited).toEqual(a.stages.audit.audited);
    const c = await run(new Candidate(), new Refiner(), { share: 0.3 });
    expect(Number.isInteger(c.stages.audit.seed)).toBe(true);
    expect(c.stages.audit.audited).toHaveLength(a.stages.audit.audited.length);
  });
});
