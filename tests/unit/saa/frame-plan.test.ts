import { describe, expect, it } from 'vitest';
import { PlannedFrame } from '../../../src-shared/scans.js';
import { planFrames, qwenTokens, smartResize, type FramePlan } from '../../../src-main/engine/saa/index.js';
import { rng, trackOf } from './synthetic.js';

const ACTIVE = smartResize(360, 640, { maxPixels: 448 * 252 });
const STATIC = smartResize(360, 640, { maxPixels: 224 * 126 });
const ACTIVE_TOKENS = qwenTokens(ACTIVE.width, ACTIVE.height);
const STATIC_TOKENS = qwenTokens(STATIC.width, STATIC.height);

/** A 4 fps track of `durationS` with activity `level` inside the given [from, to) stretches. */
function track(durationS: number, stretches: [number, number, number][] = []): ReturnType<typeof trackOf> {
  const a = Array.from({ length: Math.round(durationS * 4) }, (_, i) => {
    const t = i / 4;
    return stretches.reduce((v, [from, to, level]) => (t >= from && t < to ? Math.max(v, level) : v), 0);
  });
  return trackOf(a);
}

/** Invariants every plan keeps, whatever its input. */
function expectWellFormed(plan: FramePlan, durationS: number, budget: number): void {
  for (const f of plan.frames) PlannedFrame.parse(f);
  expect(plan.visualTokens).toBe(plan.frames.reduce((s, f) => s + f.tokens, 0));
  expect(plan.visualTokens).toBeLessThanOrEqual(budget);
  for (const f of plan.frames) {
    expect(f.t).toBeGreaterThanOrEqual(0);
    expect(f.t).toBeLessThan(durationS);
    expect(f.tokens).toBe(qwenTokens(f.width, f.height));
  }
  for (let i = 1; i < plan.frames.length; i++) {
    expect(plan.frames[i]!.t - plan.frames[i - 1]!.t).toBeGreaterThanOrEqual(0.25 - 1e-9);
  }
  const largest = Math.max(0, ...plan.frames.map((f) => f.tokens));
  expect(plan.uniformTokens).toBe(Math.ceil(durationS * 2) * largest);
}

const base = { sourceWidth: 640, sourceHeight: 360 };

describe('planFrames', () => {
  it('puts an active-size frame on both sides of every change point', () => {
    const cps = [0.2, 5.1, 5.6, 17.3, 29.9];
    const plan = planFrames({ ...base, durationS: 30, track: track(30), changePoints: cps, budgetTokens: 16384 });
    expectWellFormed(plan, 30, 16384);
    for (const cp of cps) {
      const active = plan.frames.filter((f) => f.tokens === ACTIVE_TOKENS);
      expect(active.some((f) => f.t < cp && f.t >= cp - 0.5 - 1e-9) || cp - 0.5 < 0).toBe(true);
      expect(active.some((f) => f.t > cp && f.t <= cp + 0.5 + 1e-9) || cp + 0.5 > 30).toBe(true);
      // Near the clip's ends the side frame is clamped onto the end itself.
      expect(active.some((f) => Math.abs(f.t - Math.min(30, Math.max(0, cp - 0.5))) < 0.25)).toBe(true);
      expect(active.some((f) => Math.abs(f.t - Math.min(30, Math.max(0, cp + 0.5))) < 0.25)).toBe(true);
    }
    expect(plan.warnings).toEqual([]);
  });

  it('keeps a static-size floor at least every 4 s and spends far less than the budget on a static video', () => {
    const plan = planFrames({ ...base, durationS: 120, track: track(120), changePoints: [], budgetTokens: 16384 });
    expectWellFormed(plan, 120, 16384);
    const times = [0, ...plan.frames.map((f) => f.t), 120];
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(4 + 1e-9);
    expect(plan.frames.every((f) => f.tokens === STATIC_TOKENS)).toBe(true);
    expect(plan.visualTokens).toBeLessThan(16384 / 10);
    expect(plan.uniformTokens).toBe(240 * STATIC_TOKENS);
  });

  it('spends the rest at most 2 fps where activity is dense, more where it is denser', () => {
    const t = track(120, [
      [20, 50, 0.2],
      [70, 100, 0.02],
    ]);
    const generous = planFrames({
      ...base,
      durationS: 120,
      track: t,
      changePoints: [20, 50, 70, 100],
      budgetTokens: 1e6,
    });
    expectWellFormed(generous, 120, 1e6);
    const inA = generous.frames.filter((f) => f.t > 21 && f.t < 49);
    expect(inA.length).toBeGreaterThanOrEqual(28 * 2 - 1);
    expect(inA.length).toBeLessThanOrEqual(28 * 2 + 1);
    expect(inA.every((f) => f.tokens === ACTIVE_TOKENS)).toBe(true);
    expect(generous.frames.filter((f) => f.t > 1 && f.t < 19).every((f) => f.tokens === STATIC_TOKENS)).toBe(true);

    const tight = planFrames({
      ...base,
      durationS: 120,
      track: t,
      changePoints: [20, 50, 70, 100],
      budgetTokens: 6000,
    });
    expectWellFormed(tight, 120, 6000);
    const dense = tight.frames.filter((f) => f.t > 21 && f.t < 49).length;
    const sparse = tight.frames.filter((f) => f.t > 71 && f.t < 99).length;
    expect(dense).toBeGreaterThan(3 * sparse);
    expect(tight.visualTokens).toBeGreaterThan(6000 - ACTIVE_TOKENS);
    expect(tight.uniformTokens).toBe(240 * ACTIVE_TOKENS);
  });

  it('thins the floor first, then lowers resolution, saying so, when (a) and (b) exceed the budget', () => {
    const cps = Array.from({ length: 20 }, (_, i) => 30 * i + 15);
    const input = { ...base, durationS: 600, track: track(600), changePoints: cps };
    const full = planFrames({ ...input, budgetTokens: 1e6 });
    expect(full.warnings).toEqual([]);

    const budget = full.visualTokens - 5 * STATIC_TOKENS;
    const thinner = planFrames({ ...input, budgetTokens: budget });
    expectWellFormed(thinner, 600, budget);
    expect(thinner.warnings.join()).toMatch(/floor thinned/);
    expect(thinner.frames.filter((f) => f.tokens === ACTIVE_TOKENS)).toHaveLength(40);

    const cpOnlyActive = 40 * ACTIVE_TOKENS;
    const lower = planFrames({ ...input, budgetTokens: cpOnlyActive - 1 });
    expectWellFormed(lower, 600, cpOnlyActive - 1);
    expect(lower.warnings.join()).toMatch(/lowered to/);
    expect(lower.frames.some((f) => f.tokens === ACTIVE_TOKENS)).toBe(false);
    for (const cp of cps) expect(lower.frames.some((f) => Math.abs(f.t - cp) <= 0.5)).toBe(true);

    const starved = planFrames({ ...input, budgetTokens: 10 });
    expectWellFormed(starved, 600, 10);
    expect(starved.frames.length).toBeGreaterThan(0);
    expect(starved.warnings.join()).toMatch(/too small/);
  });

  it('never exceeds the budget on random inputs', () => {
    const rand = rng(42);
    for (let k = 0; k < 200; k++) {
      const d = 1 + rand() * 300;
      const stretches: [number, number, number][] = Array.from({ length: Math.floor(rand() * 6) }, () => {
        const a = rand() * d;
        return [a, a + rand() * 30, rand() * 0.3];
      });
      const cps = Array.from({ length: Math.floor(rand() * 30) }, () => rand() * d).sort((a, b) => a - b);
      const budget = Math.floor(rand() < 0.3 ? rand() * 200 : rand() * 20000);
      const [w, h] = rand() < 0.5 ? [640, 360] : [1280, 960];
      const plan = planFrames({
        durationS: d,
        sourceWidth: w,
        sourceHeight: h,
        track: track(d, stretches),
        changePoints: cps,
        budgetTokens: budget,
      });
      expectWellFormed(plan, d, budget);
      if (budget >= 2000 && plan.warnings.length === 0) {
        // With room to spare, every change point has frames on both sides.
        for (const cp of cps)
          expect(
            plan.frames.some((f) => Math.abs(f.t - cp) <= 0.5),
            `${cp} ${JSON.stringify(plan.frames.map((f) => f.t))} d=${d}`,
          ).toBe(true);
      }
    }
  });

  it('plans nothing for an empty recording', () => {
    const plan = planFrames({ ...base, durationS: 0, track: track(0), changePoints: [], budgetTokens: 100 });
    expect(plan).toEqual({ frames: [], visualTokens: 0, uniformTokens: 0, warnings: [] });
  });
});
