/**
 * The real transformers.js + onnxruntime-node pipeline on a tiny random-weight Qwen2-VL
 * written by tests/fixtures/tiny-qwen2vl: plumbing, not accuracy. Everything is offline.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Tensor } from '@huggingface/transformers';
import type { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyQwen2VL, tinyQwen2VLSpec } from '../../fixtures/tiny-qwen2vl/generate.js';
import {
  cacheFrom,
  framesPrompt,
  goOffline,
  greedy,
  greedyWithoutCache,
  lastArgmax,
  load,
  modelInputs,
  ropeIndex,
  syntheticFrame,
  textPrompt,
  webgpuStatus,
  type Loaded,
} from './qwen2vl-driver.js';

const MODEL = 'tiny-qwen2vl';
const MAX_NEW = 8;
const QUESTION = 'When does the person open the door?';
const spec = tinyQwen2VLSpec();

let root: string;
let modelDir: string;
let cpu: Loaded;
let fetchAttempts: string[];

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'tiny-qwen2vl-'));
  modelDir = await makeTinyQwen2VL(path.join(root, MODEL));
  fetchAttempts = goOffline(root);
  cpu = await load(MODEL, 'cpu');
});

afterAll(async () => {
  await cpu?.model.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

const twoFrames = () => [
  { time: 0, image: syntheticFrame(56, 56, 1) },
  { time: 1.5, image: syntheticFrame(56, 56, 2) },
];

describe('tiny Qwen2-VL fixture', () => {
  it('writes the same bytes for the same seed and different weights for another seed', async () => {
    const again = await makeTinyQwen2VL(path.join(root, 'again'));
    const other = await makeTinyQwen2VL(path.join(root, 'other'), { seed: 7 });
    const decoder = (dir: string) => readFile(path.join(dir, 'onnx', 'decoder_model_merged.onnx'));
    expect((await decoder(again)).equals(await decoder(modelDir))).toBe(true);
    expect((await decoder(other)).equals(await decoder(modelDir))).toBe(false);
  });

  it('tokenizes byte-level BPE that round-trips and keeps special tokens whole', () => {
    const text =
      '<|im_start|>user\n<0.0s><|vision_start|><|image_pad|><|vision_end|>Où est la porte? 12.5 s<|im_end|>\n';
    const ids = cpu.tokenizer.encode(text);
    expect(cpu.tokenizer.decode(ids)).toBe(text);
    expect(ids).toContain(spec.ids['<|image_pad|>']);
    // Merges apply: fewer tokens than bytes.
    expect(cpu.tokenizer.encode('the person walks').length).toBeLessThan('the person walks'.length);
  });

  it('declares the session inputs and fixed cache dimensions of the real export', () => {
    const decoder = cpu.model.sessions['decoder_model_merged'] as InferenceSession;
    expect(decoder.inputNames.slice(0, 3)).toEqual(['inputs_embeds', 'attention_mask', 'position_ids']);
    const pastKey = decoder.inputMetadata.find((m) => m.name === 'past_key_values.0.key');
    expect(pastKey && 'shape' in pastKey ? pastKey.shape : null).toEqual([
      'batch_size',
      spec.numKvHeads,
      'past_sequence_length',
      spec.headDim,
    ]);
    expect((cpu.model.sessions['vision_encoder'] as InferenceSession).inputNames).toEqual(['pixel_values', 'grid_thw']);
    expect((cpu.model.sessions['embed_tokens'] as InferenceSession).outputNames).toEqual(['inputs_embeds']);
  });
});

describe('transformers.js on the tiny Qwen2-VL (cpu, fp32)', () => {
  it('(a) generates max_new_tokens tokens from a text-only chat prompt, greedily and deterministically', async () => {
    const inputs = textPrompt(cpu, QUESTION);
    const started = performance.now();
    const first = await greedy(cpu.model, inputs, MAX_NEW);
    console.info(`text-only generate, ${MAX_NEW} tokens on cpu: ${(performance.now() - started).toFixed(0)} ms`);
    const second = await greedy(cpu.model, inputs, MAX_NEW);

    expect(first).toHaveLength(MAX_NEW);
    expect(second).toEqual(first);
    expect(typeof cpu.tokenizer.decode(first, { skip_special_tokens: true })).toBe('string');
  });

  it('(b) generates from two separately processed frames with a timestamp before each', async () => {
    const inputs = await framesPrompt(cpu, twoFrames(), QUESTION);
    const ids = (inputs.input_ids.tolist()[0] as bigint[]).map(Number);

    expect(inputs.pixel_values.dims).toEqual([32, spec.patchDim]);
    expect(inputs.image_grid_thw.tolist()).toEqual([
      [1n, 4n, 4n],
      [1n, 4n, 4n],
    ]);
    expect(inputs.tokensPerImage).toEqual([4, 4]);
    expect(ids.filter((id) => id === spec.ids['<|image_pad|>'])).toHaveLength(8);
    expect(cpu.tokenizer.decode(ids)).toContain('<1.5s><|vision_start|><|image_pad|>');

    // image_token_id / vision_start_token_id from config.json turn on 3-D positions in the frames.
    const [positions] = ropeIndex(cpu.model, inputs.input_ids, inputs.attention_mask, inputs.image_grid_thw);
    const [t, h, w] = (positions.tolist() as bigint[][][]).map((row) => row[0]);
    expect(h).not.toEqual(t);
    expect(w).not.toEqual(h);

    const started = performance.now();
    const tokens = await greedy(cpu.model, inputs, MAX_NEW);
    console.info(`two-frame generate, ${MAX_NEW} tokens on cpu: ${(performance.now() - started).toFixed(0)} ms`);
    expect(tokens).toHaveLength(MAX_NEW);
    expect(await greedy(cpu.model, inputs, MAX_NEW)).toEqual(tokens);
  });

  it('(b) the pixels reach the decoder: other frames give other logits', async () => {
    const logitsFor = async (seeds: [number, number]) => {
      const frames = seeds.map((seed, i) => ({ time: i * 1.5, image: syntheticFrame(56, 56, seed) }));
      const out = await cpu.model.forward(modelInputs(await framesPrompt(cpu, frames, QUESTION)));
      return (out.logits as Tensor).data as Float32Array;
    };
    const a = await logitsFor([1, 2]);
    const b = await logitsFor([3, 4]);
    expect(a.some((v, i) => Math.abs(v - (b[i] ?? v)) > 1e-3)).toBe(true);
  });

  it('(c) KV-cached greedy generation equals a step-by-step recompute without cache', async () => {
    const inputs = await framesPrompt(cpu, twoFrames(), QUESTION);
    const cached = await greedy(cpu.model, inputs, MAX_NEW);
    const recomputed = await greedyWithoutCache(cpu.model, inputs, MAX_NEW);
    expect(recomputed).toEqual(cached);
  });

  it('(c, d) the last-position logits match with and without cache, and the cache grows by the new tokens', async () => {
    const { input_ids, attention_mask, pixel_values, image_grid_thw } = await framesPrompt(cpu, twoFrames(), QUESTION);
    const n = input_ids.dims[1] ?? 0;
    const [positions] = ropeIndex(cpu.model, input_ids, attention_mask, image_grid_thw);
    const vision = { pixel_values, image_grid_thw };

    const full = await cpu.model.forward({ input_ids, attention_mask, position_ids: positions, ...vision });
    const prefix = await cpu.model.forward({
      input_ids: input_ids.slice(null, [0, n - 1]),
      attention_mask: attention_mask.slice(null, [0, n - 1]),
      position_ids: positions.slice(null, null, [0, n - 1]),
      ...vision,
    });
    const step = await cpu.model.forward({
      input_ids: input_ids.slice(null, [n - 1, n]),
      attention_mask,
      position_ids: positions.slice(null, null, [n - 1, n]),
      past_key_values: cacheFrom(prefix),
    });

    const a = (full.logits as Tensor).slice(null, [n - 1, n], null).data as Float32Array;
    const b = (step.logits as Tensor).data as Float32Array;
    expect(b).toHaveLength(spec.vocabSize);
    const maxDiff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] ?? NaN))), 0);
    expect(maxDiff).toBeLessThan(1e-4);
    expect(lastArgmax(step.logits as Tensor)).toBe(lastArgmax(full.logits as Tensor));

    const cacheShape = [1, spec.numKvHeads, n - 1, spec.headDim];
    expect((prefix['present.0.key'] as Tensor).dims).toEqual(cacheShape);
    expect((step['present.0.key'] as Tensor).dims).toEqual([1, spec.numKvHeads, n, spec.headDim]);
    expect((step['present.1.value'] as Tensor).dims).toEqual([1, spec.numKvHeads, n, spec.headDim]);
  });

  it('(d) generate hands back a cache as long as the prompt plus all but the last new token', async () => {
    const inputs = await framesPrompt(cpu, twoFrames(), QUESTION);
    const out = await cpu.model.generate({
      ...modelInputs(inputs),
      max_new_tokens: MAX_NEW,
      do_sample: false,
      return_dict_in_generate: true,
    });
    const cache = (out as { past_key_values: { get_seq_length(): number } }).past_key_values;
    expect(cache.get_seq_length()).toBe((inputs.input_ids.dims[1] ?? 0) + MAX_NEW - 1);
  });

  it('pins transformers.js 4.3.1: text-only prompts get rope_deltas = 2 x prompt length (Python: 0)', () => {
    // _get_text_only_rope_index adds the sequence length instead of subtracting it, so
    // after the first generated token a text-only prompt is decoded at positions shifted
    // by 2 x its length. Prompts with frames take the multimodal path, which is correct.
    const { input_ids, attention_mask } = textPrompt(cpu, QUESTION);
    const [, deltas] = ropeIndex(cpu.model, input_ids, attention_mask);
    expect(deltas.tolist()).toEqual([[BigInt(2 * (input_ids.dims[1] ?? 0))]]);
  });

  it('never touched the network', () => {
    expect(fetchAttempts).toEqual([]);
  });
});

describe('transformers.js on the tiny Qwen2-VL (webgpu, fp32)', () => {
  // A cold Mesa shader cache (lavapipe) costs about a minute of shader compilation.
  it('(e) generates the same tokens as cpu from the text-only prompt', { timeout: 300_000 }, async (ctx) => {
    const status = await webgpuStatus(path.join(modelDir, 'onnx', 'embed_tokens.onnx'));
    if (!status.ok) console.warn(`webgpu test skipped: ${status.reason}`);
    ctx.skip(!status.ok, status.reason);

    const gpu = await load(MODEL, 'webgpu');
    const inputs = textPrompt(gpu, QUESTION);
    const started = performance.now();
    const tokens = await greedy(gpu.model, inputs, MAX_NEW);
    console.info(`text-only generate, ${MAX_NEW} tokens on webgpu: ${(performance.now() - started).toFixed(0)} ms`);
    await gpu.model.dispose();
    expect(tokens).toEqual(await greedy(cpu.model, textPrompt(cpu, QUESTION), MAX_NEW));
  });
});
