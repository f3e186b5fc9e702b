/**
 * A long prompt read in chunks of tokens (prefill.ts) against the same prompt read in one pass,
 * on the tiny random-weight Qwen2-VL and Qwen3-VL through the real runtime: the same answers,
 * the same scores, the same KV cache length, for every chunk size including ones that cut
 * through an image's tokens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalModel } from '../../../src-main/engine/models/local/model.js';
import { framesMessage, type PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { checkModelDir } from '../../../src-main/engine/models/manifest.js';
import { makeTinyModel, type TinyFamily } from '../../fixtures/tiny-qwen2vl/generate.js';
import { syntheticFrame } from './qwen2vl-driver.js';

let root: string;
const models: LocalModel[] = [];

function frame(t: number, seed: number): PromptFrame {
  const im = syntheticFrame(112, 112, seed);
  return { t, width: 112, height: 112, data: new Uint8Array(im.data.buffer, im.data.byteOffset, im.data.byteLength) };
}

async function open(dir: string): Promise<LocalModel> {
  const m = await LocalModel.load(dir, checkModelDir(dir).manifest!, 'cpu', { prefixCacheBytes: 0 });
  models.push(m);
  return m;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'tempo-prefill-'));
});

afterAll(async () => {
  for (const m of models) await m.dispose();
  await rm(root, { recursive: true, force: true });
});

const groups = [[frame(0, 1), frame(0.5, 2)], [frame(1, 3)], [frame(2, 4), frame(2.5, 5)]];

async function read(m: LocalModel, chunk: number) {
  m.prefillChunk = chunk;
  const before = { ...m.compute.prefill };
  const p = await m.prepare([framesMessage(groups, 'When does the light turn on?', m.time)]);
  const [answer] = await m.generateTokens(p, { samples: 1, maxNewTokens: 6 });
  const score = await m.scoreContinuation(p, 'The event happens in 1.0 - 2.5 seconds.');
  await m.done(p);
  return { ids: answer?.ids, score, length: p.promptLength, calls: m.compute.prefill.calls - before.calls };
}

describe.each<TinyFamily>(['qwen2_vl', 'qwen3_vl'])('prefill in chunks, %s', (family) => {
  it('gives the answers and scores of one pass, whatever the chunk size', async () => {
    const m = await open(await makeTinyModel(path.join(root, family), { family }));
    const whole = await read(m, Infinity);
    expect(whole.length).toBeGreaterThan(40);
    for (const chunk of [7, 16, 50]) {
      const parts = await read(m, chunk);
      expect(parts.ids).toEqual(whole.ids);
      expect(parts.score).toBeCloseTo(whole.score, 4);
      // The prompt took several decoder passes: the chunks really were read one by one.
      expect(parts.calls).toBeGreaterThan(whole.calls);
    }
  });
});
