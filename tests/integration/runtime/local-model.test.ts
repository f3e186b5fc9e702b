/**
 * The engine's LocalModel on the tiny random-weight Qwen2-VL: Qwen2-VL frame pairing in a
 * real prompt, the on-disk vision-feature cache across model instances, and token
 * log-probabilities (what `tempo serve-model` returns).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskCache } from '../../../src-main/engine/cache/disk-cache.js';
import { LocalModel } from '../../../src-main/engine/models/local/model.js';
import { framesMessage, type PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { checkModelDir } from '../../../src-main/engine/models/manifest.js';
import { makeTinyQwen2VL, tinyQwen2VLSpec } from '../../fixtures/tiny-qwen2vl/generate.js';
import { framesPrompt, greedy, load, syntheticFrame, webgpuStatus } from './qwen2vl-driver.js';

const spec = tinyQwen2VLSpec();
let root: string;
let modelDir: string;
const models: LocalModel[] = [];

async function open(
  cache?: DiskCache,
  opts: { prefixCacheBytes?: number; device?: 'cpu' | 'webgpu'; prefixCache?: DiskCache } = {},
) {
  const check = checkModelDir(modelDir);
  const m = await LocalModel.load(modelDir, check.manifest!, opts.device ?? 'cpu', {
    cache,
    prefixCacheBytes: opts.prefixCacheBytes,
    prefixCache: opts.prefixCache,
  });
  models.push(m);
  return m;
}

function frame(t: number, seed: number): PromptFrame {
  const im = syntheticFrame(56, 56, seed);
  return { t, width: 56, height: 56, data: new Uint8Array(im.data.buffer, im.data.byteOffset, im.data.byteLength) };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'tempo-local-model-'));
  modelDir = await makeTinyQwen2VL(path.join(root, 'tiny'));
});

afterAll(async () => {
  for (const m of models) await m.dispose();
  await rm(root, { recursive: true, force: true });
});

const QUESTION = 'When does the light turn on?';
const frames = [frame(0, 1), frame(0.5, 2), frame(1, 3), frame(1.5, 4)];

describe('LocalModel', () => {
  it('pairs two same-size frames into one temporal patch: half the visual tokens', async () => {
    const m = await open();
    const single = await m.prepare([
      framesMessage(
        frames.map((f) => [f]),
        QUESTION,
      ),
    ]);
    const paired = await m.prepare([framesMessage([frames.slice(0, 2), frames.slice(2)], QUESTION)]);
    const pad = spec.ids['<|image_pad|>'];
    const count = (ids: bigint[]) => ids.filter((id) => Number(id) === pad).length;
    expect(single.image_grid_thw.tolist()).toEqual(Array(4).fill([1n, 4n, 4n]));
    expect(paired.image_grid_thw.tolist()).toEqual(Array(2).fill([1n, 4n, 4n]));
    expect(count(single.input_ids.tolist()[0] as bigint[])).toBe(16);
    expect(count(paired.input_ids.tolist()[0] as bigint[])).toBe(8);
    // Both frames of a pair reach the encoder: the pair's patches hold two different pictures.
    expect(paired.pixel_values.dims).toEqual([32, spec.patchDim]);
    const other = await m.prepare([framesMessage([[frames[0]!, frame(0.5, 9)], frames.slice(2)], QUESTION)]);
    const a = paired.pixel_values.data as Float32Array;
    const b = other.pixel_values.data as Float32Array;
    expect(a.some((v, i) => v !== b[i])).toBe(true);
    const [answer] = await m.generate(paired, { samples: 1, maxNewTokens: 6 });
    expect(typeof answer).toBe('string');
  });

  it("counts a frame's visual tokens as its image processor will, within the processor's pixel bounds", async () => {
    const m = await open();
    const sized = (width: number, height: number): PromptFrame => {
      const im = syntheticFrame(width, height, 1);
      return { t: 0, width, height, data: new Uint8Array(im.data.buffer, im.data.byteOffset, im.data.byteLength) };
    };
    // 448x252 is over the tiny processor's max_pixels (28*28*64), 56x28 under its min_pixels (56*56).
    const sizes: [number, number][] = [
      [448, 252],
      [224, 112],
      [56, 28],
      [84, 56],
      [1280, 720],
    ];
    const counted = sizes.map(([w, h]) => m.visualTokens(w, h));
    const prompt = await m.prepare([
      framesMessage(
        sizes.map(([w, h]) => [sized(w, h)]),
        QUESTION,
      ),
    ]);
    const real = (prompt.image_grid_thw.tolist() as bigint[][]).map((g) => Number(g[0]! * g[1]! * g[2]!) / 4);
    expect(counted).toEqual(real);
    expect(counted[0]).toBeLessThan(144);
    expect(counted[2]).toBe(6);
  });

  it('encodes each image once: a second model on the same cache reads the features from disk', async () => {
    const cache = new DiskCache(path.join(root, 'cache'), 64 * 1024 ** 2);
    const message = [
      framesMessage(
        frames.map((f) => [f]),
        QUESTION,
      ),
    ];
    const first = await open(cache);
    const p1 = await first.prepare(message);
    const a = await first.generateTokens(p1, { samples: 2, maxNewTokens: 6 });
    await first.scoreContinuation(p1, 'The event happens in 0 - 1 seconds.');
    // Two samples and a score on one prompt: the encoder ran once, over the four frames.
    expect(first.encoderStats).toEqual({ runs: 1, images: 4 });
    expect(first.features?.misses).toBe(4);

    const second = await open(cache);
    const p2 = await second.prepare(message);
    expect(second.features?.hits).toBe(4);
    // Nothing left to preprocess or encode.
    expect(p2.pixel_values.dims).toEqual([0, spec.patchDim]);
    const b = await second.generateTokens(p2, { samples: 1, maxNewTokens: 6 });
    expect(second.encoderStats).toEqual({ runs: 0, images: 0 });
    expect(b[0]?.ids).toEqual(a[0]?.ids);

    // A prompt with one new frame encodes only that frame.
    const third = await open(cache);
    const p3 = await third.prepare([
      framesMessage(
        [...frames, frame(2, 5)].map((f) => [f]),
        QUESTION,
      ),
    ]);
    await third.generate(p3, { samples: 1, maxNewTokens: 2 });
    expect(third.encoderStats).toEqual({ runs: 1, images: 1 });
  });

  it('gives the log-probability of each generated token with the likeliest alternatives', async () => {
    const m = await open();
    const p = await m.prepare([
      framesMessage(
        frames.map((f) => [f]),
        QUESTION,
      ),
    ]);
    const [greedy] = await m.generateTokens(p, { samples: 1, maxNewTokens: 5 });
    const lps = await m.tokenLogprobs(p, greedy!.ids, 3);
    expect(lps).toHaveLength(greedy!.ids.length);
    for (const lp of lps) {
      expect(lp.top).toHaveLength(3);
      expect(lp.logprob).toBeLessThanOrEqual(0);
      // Greedy picks the likeliest token at every step.
      expect(lp.logprob).toBeCloseTo(lp.top[0]!.logprob, 4);
      expect(lp.top[0]!.logprob).toBeGreaterThanOrEqual(lp.top[1]!.logprob);
    }
    // Per-token log-probs of a given reply average to its teacher-forced score.
    const reply = 'The event happens in 0 - 1 seconds.';
    const forced = await m.tokenLogprobs(p, m.encode(reply), 1);
    const mean = forced.reduce((acc, l) => acc + l.logprob, 0) / forced.length;
    expect(await m.scoreContinuation(p, reply)).toBeCloseTo(mean, 4);
  });

  it('reads the prompt once and decodes exactly as transformers.js generate does', async () => {
    const m = await open();
    const p = await m.prepare([
      framesMessage(
        frames.map((f) => [f]),
        QUESTION,
      ),
    ]);
    const [mine] = await m.generateTokens(p, { samples: 1, maxNewTokens: 10 });
    const lib = await load('tiny', 'cpu');
    const inputs = await framesPrompt(
      lib,
      frames.map((f) => ({ time: f.t, image: syntheticFrame(56, 56, frames.indexOf(f) + 1) })),
      QUESTION,
    );
    const theirs = await greedy(lib.model, inputs, 10);
    await lib.model.dispose();
    expect(theirs.slice(0, mine!.ids.length)).toEqual(mine!.ids);
    if (mine!.finish === 'length') expect(mine!.ids).toHaveLength(10);
  });

  it('draws several answers as one batch: the first is the greedy one, the others are sampled', async () => {
    const m = await open();
    const p = await m.prepare([
      framesMessage(
        frames.map((f) => [f]),
        QUESTION,
      ),
    ]);
    const [alone] = await m.generateTokens(p, { samples: 1, maxNewTokens: 12 });
    const batch = await m.generateTokens(p, { samples: 4, maxNewTokens: 12 });
    expect(batch).toHaveLength(4);
    expect(batch[0]!.ids).toEqual(alone!.ids);
    expect(new Set(batch.map((g) => g.text)).size).toBeGreaterThan(1);
  });

  it('keeps the KV cache of the frames for a later question on them: same answers and scores as reading it all', async () => {
    const reply = 'The event happens in 0.5 - 1.0 seconds.';
    const warm = await open();
    const first = await warm.prepare([
      framesMessage(
        frames.map((f) => [f]),
        QUESTION,
      ),
    ]);
    await warm.generate(first, { samples: 1, maxNewTokens: 4 });
    const second = await warm.prepare([
      framesMessage(
        frames.map((f) => [f]),
        'Where is the blue square?',
      ),
    ]);
    const [a] = await warm.generateTokens(second, { samples: 1, maxNewTokens: 8 });
    const scoreA = await warm.scoreContinuation(second, reply);
    expect(warm.prefixes.hits).toBe(1);

    const cold = await open(undefined, { prefixCacheBytes: 0 });
    const again = await cold.prepare([
      framesMessage(
        frames.map((f) => [f]),
        'Where is the blue square?',
      ),
    ]);
    const [b] = await cold.generateTokens(again, { samples: 1, maxNewTokens: 8 });
    expect(cold.prefixes.hits).toBe(0);
    expect(b!.ids).toEqual(a!.ids);
    expect(await cold.scoreContinuation(again, reply)).toBeCloseTo(scoreA, 4);
  });

  it('keeps prefix KV caches on disk from the second look at frames: a later instance reads them back, same answers and scores', async () => {
    const reply = 'The event happens in 0.5 - 1.0 seconds.';
    const features = new DiskCache(path.join(root, 'features-prefixes'), 64 * 1024 ** 2);
    const prefixCache = new DiskCache(path.join(root, 'prefixes'), 64 * 1024 ** 2);
    const ask = (question: string) => [
      framesMessage(
        frames.map((f) => [f]),
        question,
      ),
    ];
    // Frames never read before: their prefix is not written (a first pass over a library).
    const first = await open(features, { prefixCache });
    await first.generate(await first.prepare(ask(QUESTION)), { samples: 1, maxNewTokens: 4 });
    expect(prefixCache.stats.writes).toBe(0);
    // Read again (their features cached): now the prefix is written.
    const writer = await open(features, { prefixCache });
    await writer.generate(await writer.prepare(ask(QUESTION)), { samples: 1, maxNewTokens: 4 });
    expect(prefixCache.stats.writes).toBe(1);
    expect(writer.prefixes.misses).toBe(1);

    // A fresh instance (as a later process would be): nothing in its memory, the prefix on disk.
    const reader = await open(features, { prefixCache });
    const second = await reader.prepare(ask('Where is the blue square?'));
    const [a] = await reader.generateTokens(second, { samples: 1, maxNewTokens: 8 });
    expect(reader.prefixes.hits).toBe(1);
    expect(prefixCache.stats.hits).toBe(1);

    const cold = await open(undefined, { prefixCacheBytes: 0 });
    const again = await cold.prepare(ask('Where is the blue square?'));
    const [b] = await cold.generateTokens(again, { samples: 1, maxNewTokens: 8 });
    expect(b!.ids).toEqual(a!.ids);
    expect(await reader.scoreContinuation(second, reply)).toBeCloseTo(await cold.scoreContinuation(again, reply), 4);
  });

  it('decodes the same tokens on webgpu as on cpu', { timeout: 300_000 }, async (ctx) => {
    const status = await webgpuStatus(path.join(modelDir, 'onnx', 'embed_tokens.onnx'));
    if (!status.ok) console.warn(`webgpu test skipped: ${status.reason}`);
    ctx.skip(!status.ok, status.reason);
    const message = [
      framesMessage(
        frames.map((f) => [f]),
        QUESTION,
      ),
    ];
    const gpu = await open(undefined, { device: 'webgpu' });
    const cpu = await open();
    const [g] = await gpu.generateTokens(await gpu.prepare(message), { samples: 1, maxNewTokens: 8 });
    const [c] = await cpu.generateTokens(await cpu.prepare(message), { samples: 1, maxNewTokens: 8 });
    expect(g!.ids).toEqual(c!.ids);
  });

  it('with a parrot head answers its fixed text whatever the frames, and ends the answer', async () => {
    const dir = await makeTinyQwen2VL(path.join(root, 'parrot'), { answer: '2-5' });
    const check = checkModelDir(dir);
    const m = await LocalModel.load(dir, check.manifest!, 'cpu');
    models.push(m);
    for (const seed of [1, 7]) {
      const p = await m.prepare([framesMessage([[frame(0, seed)], [frame(1, seed + 1)]], QUESTION)]);
      const out = await m.generateTokens(p, { samples: 3, maxNewTokens: 10 });
      expect(out.map((g) => [g.text, g.finish])).toEqual(Array(3).fill(['2-5', 'stop']));
    }
  });
});
