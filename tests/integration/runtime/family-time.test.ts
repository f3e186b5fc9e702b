/**
 * Time as each family reads it, in the real runtime: Qwen2.5-VL's absolute-time positions
 * are computed by Tempo and reach the decoder (what it reads changes with the frames' times
 * alone), and its frames go in as one video block; Qwen3-VL's timestamps are text.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalModel } from '../../../src-main/engine/models/local/model.js';
import { framesMessage, type PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { checkModelDir } from '../../../src-main/engine/models/manifest.js';
import { makeTinyModel } from '../../fixtures/tiny-qwen2vl/generate.js';
import { syntheticFrame } from './qwen2vl-driver.js';

let root: string;
const models: LocalModel[] = [];

async function open(family: 'qwen2_5_vl' | 'qwen3_vl'): Promise<LocalModel> {
  const dir = await makeTinyModel(path.join(root, family), { family });
  const m = await LocalModel.load(dir, checkModelDir(dir).manifest!, 'cpu', { prefixCacheBytes: 0 });
  models.push(m);
  return m;
}

function frame(t: number, seed: number): PromptFrame {
  const im = syntheticFrame(56, 56, seed);
  return { t, width: 56, height: 56, data: new Uint8Array(im.data.buffer, im.data.byteOffset, im.data.byteLength) };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'tempo-family-time-'));
});

afterAll(async () => {
  for (const m of models) await m.dispose();
  await rm(root, { recursive: true, force: true });
});

const Q = 'When does the light turn on?';

describe('Qwen2.5-VL: absolute-time M-RoPE computed by Tempo', () => {
  it('places each part at floor((t - t0) x tokens_per_second) in one video block, and the decoder reads it', async () => {
    const m = await open('qwen2_5_vl');
    expect(m.time).toBe('rope-time');
    const groups = (t2: number) => [[frame(10, 1), frame(10.5, 2)], [frame(t2, 3)]];
    const p = await m.prepare([framesMessage(groups(13.2), Q, m.time)]);
    const ids = Array.from(p.input_ids.data as BigInt64Array, Number);
    const [visionStart] = m.encode('<|vision_start|>');
    const [imagePad] = m.encode('<|image_pad|>');
    expect(ids.filter((id) => id === visionStart)).toHaveLength(1);
    const [positions, delta] = m.promptPositions(p);
    const rows = positions.tolist() as bigint[][][];
    const t = rows[0]![0]!.map(Number);
    const image = ids.flatMap((id, i) => (id === imagePad ? [i] : []));
    const base = t[image[0]!]!;
    // 56x56 frames: a 4x4 patch grid, 4 tokens per part; the second part 3.2 s later: +floor(6.4) = +6.
    expect(image.map((i) => t[i]! - base)).toEqual([0, 0, 0, 0, 6, 6, 6, 6]);
    // Height and width restart on the same grid for every part of the block.
    expect(image.map((i) => Number(rows[1]![0]![i]) - base)).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
    expect(delta).toBe(Math.max(...t) + 1 - ids.length);
    // The rule is not transformers.js's (which would count the second part after the first).
    const [theirs] = (
      m as unknown as { model: { get_rope_index: (...a: unknown[]) => [{ tolist(): bigint[][][] }] } }
    ).model.get_rope_index(p.input_ids, p.image_grid_thw, null, p.attention_mask);
    expect(theirs.tolist()[0]![0]!.map(Number)).not.toEqual(t);

    // Only the times change: what the model reads (its score of a reply) changes with them.
    const later = await m.prepare([framesMessage(groups(19.6), Q, m.time)]);
    const a = await m.scoreContinuation(p, 'The event happens in 1.0 - 2.0 seconds.');
    const b = await m.scoreContinuation(later, 'The event happens in 1.0 - 2.0 seconds.');
    expect(a).not.toBeCloseTo(b, 6);
    const [answer] = await m.generate(p, { samples: 1, maxNewTokens: 4 });
    expect(typeof answer).toBe('string');
  });
});

describe('Qwen3-VL: its own <t seconds> timestamps', () => {
  it('puts the timestamp text before each part and keeps separate vision blocks', async () => {
    const m = await open('qwen3_vl');
    expect(m.time).toBe('seconds-labels');
    const p = await m.prepare([framesMessage([[frame(2, 1), frame(2.5, 2)], [frame(6, 3)]], Q, m.time)]);
    const [visionStart] = m.encode('<|vision_start|>');
    const ids = Array.from(p.input_ids.data as BigInt64Array, Number);
    expect(ids.filter((id) => id === visionStart)).toHaveLength(2);
    const text = m.decodeTokens(ids);
    expect(text).toContain('<2.3 seconds><|vision_start|>');
    expect(text).toContain('<6.0 seconds><|vision_start|>');
  });
});
