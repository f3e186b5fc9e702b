/**
 * The grounding pipeline's own logic (windows, ETA labels, parsing, refusal, confidence, the
 * second look, snapping, merging) on real decoded frames, with a scripted backend standing in
 * for the model. The real model path is tested in tests/integration/cli/ground.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import type { AskOptions, Asked, GroundingBackend } from '../../../src-main/engine/grounding/backend.js';
import { DiskCache } from '../../../src-main/engine/cache/disk-cache.js';
import { groundRecording, type GroundInput } from '../../../src-main/engine/grounding/pipeline.js';
import type { PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { getProfile } from '../../../src-main/engine/models/profiles/index.js';
import { makeVideo } from '../../fixtures/make-video.js';

let clip: string;
let source: GroundInput['source'];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tempo-pipeline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  clip = await makeVideo({
    durationS: 30,
    width: 320,
    height: 180,
    events: [{ kind: 'box', from: 12.2, to: 17.8, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
  });
  source = { file: clip, key: clip, sourceFps: 25 };
});

const frames: PlannedFrame[] = Array.from({ length: 30 }, (_, i) => ({ t: i, width: 224, height: 112, tokens: 32 }));
const profile = getProfile('qwen2-vl')!;

interface Call {
  times: number[];
  groups: number[];
  instruction: string;
  pixelsLookRight: boolean;
}

/** Answers from what it is shown: the box's span when a frame shows white, else a refusal. */
class ScriptedBackend implements GroundingBackend {
  readonly modelName = 'scripted';
  readonly device = 'cpu';
  readonly calls: Call[] = [];
  constructor(
    private readonly answers: (frames: readonly PromptFrame[], call: number) => string[],
    readonly pairsFrames = false,
  ) {}

  async ask(groups: readonly (readonly PromptFrame[])[], instruction: string, opts: AskOptions): Promise<Asked> {
    const frames = groups.flat();
    const pixelsLookRight = frames.every((f) => f.data.length === f.width * f.height * 3);
    this.calls.push({
      times: frames.map((f) => f.t),
      groups: groups.map((g) => g.length),
      instruction,
      pixelsLookRight,
    });
    const texts = this.answers(frames, this.calls.length - 1).slice(0, opts.samples);
    return { texts, compare: async () => ({ answerLogProb: -0.5, refusalLogProb: -3 }) };
  }
}

/** True when the top-left box area of a frame is white (the box is on screen). */
function showsBox(f: PromptFrame): boolean {
  const x = Math.floor(f.width * 0.25);
  const y = Math.floor(f.height * 0.4);
  const o = (y * f.width + x) * 3;
  return (f.data[o] ?? 0) > 200 && (f.data[o + 1] ?? 0) > 200;
}

describe('groundRecording', () => {
  it('finds the event from what the frames show, refines its boundaries and snaps them to change points', async () => {
    const backend = new ScriptedBackend((fs) => {
      const seen = fs.filter(showsBox).map((f) => f.t);
      if (seen.length === 0) return Array(3).fill(profile.refusalText) as string[];
      const a = Math.min(...seen);
      const b = Math.max(...seen);
      return [
        `The event happens in ${a} - ${b} seconds.`,
        `The event happens in ${a} - ${b + 1} seconds.`,
        'I am not sure',
      ];
    });
    // The model takes its time (20 ms a call), which modelMs must count.
    const ask = backend.ask.bind(backend);
    backend.ask = async (...args) => {
      await new Promise((r) => setTimeout(r, 20));
      return ask(...args);
    };
    const out = await groundRecording({
      source,
      durationS: 30,
      query: 'a white box appears',
      frames,
      changePoints: [12.1, 17.9],
      backend,
      profile,
      contextTokens: 320,
      samples: 3,
    });
    // 30 frames of 32 tokens in windows of at most 320 tokens, overlapping by 2 s.
    expect(out.windows.length).toBeGreaterThanOrEqual(3);
    expect(backend.calls.every((c) => c.pixelsLookRight)).toBe(true);
    expect(backend.calls[0]?.instruction).toContain('"a white box appears"');
    expect(out.refused).toBe(false);
    expect(out.segments).toHaveLength(1);
    const seg = out.segments[0]!;
    // The dense second look sees the box from 12.25 to 17.75 s; snapping moves both ends onto the change points.
    expect(seg.startS).toBe(12.1);
    expect(seg.endS).toBe(17.9);
    expect(seg.confidence).toBeGreaterThan(0);
    expect(seg.confidence).toBeLessThanOrEqual(1);
    const refine = backend.calls.at(-1)!;
    // The first pass saw the box on the whole-second frames 13..17: 4 fps within 2 s of 13 s.
    expect(refine.times.filter((t) => t >= 11 && t <= 15)).toEqual(Array.from({ length: 17 }, (_, i) => 11 + i / 4));
    expect(out.notes.some((n) => n.includes('unparsed answer "I am not sure"'))).toBe(true);
    const { totalMs, decodeMs, modelMs, refineMs } = out.timings;
    // Each model call waited 20 ms (a timer may fire up to a millisecond early).
    expect(modelMs).toBeGreaterThanOrEqual(19 * backend.calls.length);
    expect(decodeMs).toBeGreaterThan(0);
    // Decode and model time are parts of the whole (each look rounds both to the millisecond).
    expect(decodeMs + modelMs).toBeLessThanOrEqual(totalMs + backend.calls.length);
    expect(refineMs).toBeGreaterThanOrEqual(20);
    expect(refineMs).toBeLessThanOrEqual(totalMs);
  });

  it('reads answers in clip time where the model counts time from the first frame (Qwen2.5-VL)', async () => {
    // A model whose times are rotary positions from the first frame of what it is shown.
    class ClipTimeBackend extends ScriptedBackend {
      timeOrigin(groups: readonly (readonly PromptFrame[])[]): number {
        return groups[0]?.[0]?.t ?? 0;
      }
    }
    const backend = new ClipTimeBackend((fs) => {
      const origin = fs[0]?.t ?? 0;
      const seen = fs.filter(showsBox).map((f) => f.t - origin);
      if (seen.length === 0) return Array(3).fill(profile.refusalText) as string[];
      return Array(3).fill(`The event happens in ${Math.min(...seen)} - ${Math.max(...seen)} seconds.`) as string[];
    });
    const out = await groundRecording({
      source,
      durationS: 30,
      query: 'a white box appears',
      frames,
      changePoints: [12.1, 17.9],
      backend,
      profile,
      contextTokens: 320,
      samples: 3,
    });
    expect(out.segments.map((s) => [s.startS, s.endS])).toEqual([[12.1, 17.9]]);
    // Each window is described to the model in its own clip time, from 0.
    for (const c of backend.calls) expect(c.instruction).toContain('from 0.0 to ');
  });

  it("cuts windows by what the backend's model spends on each frame, where it says", async () => {
    const base = {
      source,
      durationS: 30,
      query: 'a truck',
      frames,
      changePoints: [],
      profile,
      contextTokens: 320,
      samples: 1,
      noRefine: true,
    };
    const planned = await groundRecording({ ...base, backend: new ScriptedBackend(() => [profile.refusalText]) });
    // A processor that makes these frames smaller: 8 tokens each, so all 30 fit one context.
    const small = Object.assign(new ScriptedBackend(() => [profile.refusalText]), { visualTokens: () => 8 });
    const counted = await groundRecording({ ...base, backend: small });
    expect(planned.windows.length).toBeGreaterThanOrEqual(3);
    expect(counted.windows).toHaveLength(1);
    expect(counted.windows[0]).toMatchObject({ frames: 30, visualTokens: 240 });
  });

  it('takes answers outside the window or unparsed as refusals, logs them, and refuses the recording', async () => {
    const backend = new ScriptedBackend(() => ['The event happens in 500 - 510 seconds.', 'hmm', profile.refusalText]);
    const out = await groundRecording({
      source,
      durationS: 30,
      query: 'a truck',
      frames,
      changePoints: [],
      backend,
      profile,
      contextTokens: 100_000,
      samples: 3,
    });
    expect(out.windows).toHaveLength(1);
    expect(out.refused).toBe(true);
    expect(out.segments).toEqual([]);
    expect(out.notes).toHaveLength(2);
    expect(out.notes[0]).toMatch(/outside the window 0.0-30.0 s/);
  });

  it('decodes each planned frame once: a second query reads them from the cache', async () => {
    const cache = new DiskCache(path.join(tmp, 'cache'), 64 * 1024 ** 2);
    const answers = (fs: readonly PromptFrame[]) => {
      const seen = fs.filter(showsBox).map((f) => f.t);
      return seen.length ? [`The event happens in ${Math.min(...seen)} - ${Math.max(...seen)} seconds.`] : ['none'];
    };
    const input = (backend: GroundingBackend): GroundInput => ({
      source,
      durationS: 30,
      query: 'a white box appears',
      frames,
      changePoints: [12.1, 17.9],
      backend,
      cache,
      profile,
      contextTokens: 320,
      samples: 1,
    });
    const first = await groundRecording(input(new ScriptedBackend(answers)));
    // Within one query too: the second look reuses the first pass's whole-second frames.
    expect(first.frames.cached).toBeGreaterThan(0);
    expect(first.frames.decoded).toBeGreaterThan(frames.length);
    const again = new ScriptedBackend(answers);
    const second = await groundRecording(input(again));
    expect(second.frames).toEqual({ cached: first.frames.decoded + first.frames.cached, decoded: 0 });
    expect(second.segments).toEqual(first.segments);
    // The cached pixels are the decoded ones: the box is seen on the same frames.
    expect(again.calls.every((c) => c.pixelsLookRight)).toBe(true);
    expect(cache.stats.writes).toBe(first.frames.decoded);
  });

  it('pairs same-size frames under a second apart when the backend pairs', async () => {
    const dense: PlannedFrame[] = Array.from({ length: 20 }, (_, i) => ({
      t: i / 2,
      width: 224,
      height: 112,
      tokens: 32,
    }));
    const backend = new ScriptedBackend(() => [profile.refusalText], true);
    const out = await groundRecording({
      source,
      durationS: 15,
      query: 'a truck',
      frames: [...dense, { t: 14, width: 224, height: 112, tokens: 32 }],
      changePoints: [],
      backend,
      profile,
      contextTokens: 10_000,
      samples: 1,
    });
    expect(out.windows).toHaveLength(1);
    expect(out.windows[0]?.visualTokens).toBe(11 * 32);
    expect(backend.calls[0]?.groups).toEqual([...Array(10).fill(2), 1]);
  });
});
