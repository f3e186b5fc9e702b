/**
 * Real-size random-weight stand-ins (tests/fixtures/real-size), written scaled down through
 * the same code path: the published configs and layout, the real export's session I/O,
 * quantized graphs (MatMulNBits for q4, MatMulInteger for q8), finite outputs through
 * onnxruntime and through the engine's LocalModel, and the cache's stamp logic.
 */
import { readFileSync, statSync, truncateSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalModel } from '../../../src-main/engine/models/local/model.js';
import { framesMessage, type PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { ModelManifest } from '../../../src-main/engine/models/manifest.js';
import {
  cachedRealSizeModel,
  makeRealSizeModel,
  realSizeCacheRoot,
  realSizeSpec,
  REAL_SIZE_NAMES,
  STAMP_FILE,
  type RealSizeDtype,
  type RealSizeName,
} from '../../fixtures/real-size/generate.js';
import { tempDir } from '../../support/temp.js';
import { syntheticFrame } from './qwen2vl-driver.js';

const SCALE = 16;
const DTYPES: readonly RealSizeDtype[] = ['fp32', 'q4', 'q8'];
const SUFFIX: Record<RealSizeDtype, string> = { fp32: '', q4: '_q4', q8: '_quantized' };
let root: string;
const dirOf = (name: RealSizeName) => path.join(root, name);
const graphFile = (name: RealSizeName, session: string, dtype: RealSizeDtype) =>
  path.join(dirOf(name), 'onnx', `${session}${SUFFIX[dtype]}.onnx`);

beforeAll(async () => {
  root = tempDir('tempo-real-size-');
  for (const name of REAL_SIZE_NAMES) await makeRealSizeModel(dirOf(name), name, { dtypes: DTYPES, scale: SCALE });
});

const finite = (t: ort.Tensor) => (t.data as Float32Array).every(Number.isFinite);

describe('real-size specs', () => {
  it('hold the published sizes and parameter counts', () => {
    const q2 = realSizeSpec('qwen2-vl-2b');
    expect([q2.hiddenSize, q2.intermediateSize, q2.numLayers, q2.numHeads, q2.numKvHeads, q2.headDim]).toEqual([
      1536, 8960, 28, 12, 2, 128,
    ]);
    expect([q2.visionDepth, q2.visionHidden, q2.visionHeads, q2.visionMlp, q2.patchDim]).toEqual([
      32, 1280, 16, 5120, 1176,
    ]);
    expect(q2.mropeSection).toEqual([16, 24, 24]);
    // HF's count of Qwen2-VL-2B-Instruct (tied embedding counted once).
    expect(q2.publishedParams).toBe(2_208_985_600);
    const q3 = realSizeSpec('qwen3-vl-2b');
    expect([q3.hiddenSize, q3.intermediateSize, q3.numLayers, q3.numHeads, q3.numKvHeads, q3.headDim]).toEqual([
      2048, 6144, 28, 16, 8, 128,
    ]);
    expect([q3.visionDepth, q3.visionHidden, q3.visionMlp, q3.patchDim, q3.visionPositions]).toEqual([
      24, 1024, 4096, 1536, 2304,
    ]);
    expect(q3.mropeSection).toEqual([24, 20, 20]);
    for (const s of [q2, q3]) {
      expect(s.vocabSize).toBe(151936);
      expect([s.ids['<|endoftext|>'], s.ids['<|im_end|>'], s.ids['<|image_pad|>'], s.ids['<|video_pad|>']]).toEqual([
        151643, 151645, 151655, 151656,
      ]);
    }
  });

  it('write config.json with the spec values and every graph declared as external data', () => {
    for (const name of REAL_SIZE_NAMES) {
      const s = realSizeSpec(name, SCALE);
      const config = JSON.parse(readFileSync(path.join(dirOf(name), 'config.json'), 'utf8'));
      const text = s.family === 'qwen3_vl' ? config.text_config : config;
      expect([text.hidden_size, text.num_hidden_layers, text.vocab_size, text.tie_word_embeddings]).toEqual([
        s.hiddenSize,
        s.numLayers,
        s.vocabSize,
        true,
      ]);
      expect(config.image_token_id).toBe(s.ids['<|image_pad|>']);
      expect(Object.keys(config['transformers.js_config'].use_external_data_format)).toHaveLength(9);
    }
  });
});

/** Runs the vision encoder over two images (4x4 and 8x8 patches) and the first one alone. */
async function visionRun(name: RealSizeName, dtype: RealSizeDtype) {
  const s = realSizeSpec(name, SCALE);
  const session = await ort.InferenceSession.create(graphFile(name, 'vision_encoder', dtype));
  const pixels = new Float32Array(80 * s.patchDim).map((_, i) => Math.sin(i * 0.37));
  const run = async (patches: number, grid: bigint[]) => {
    const out = await session.run({
      pixel_values: new ort.Tensor('float32', pixels.subarray(0, patches * s.patchDim), [patches, s.patchDim]),
      [s.gridInput]: new ort.Tensor('int64', BigInt64Array.from(grid), [grid.length / 3, 3]),
    });
    return out['image_features'] as ort.Tensor;
  };
  const both = await run(80, [1n, 4n, 4n, 1n, 8n, 8n]);
  const first = await run(16, [1n, 4n, 4n]);
  await session.release();
  return { session, both, first, s };
}

/** One decoder step over three token embeddings and an empty cache. */
async function decoderRun(name: RealSizeName, dtype: RealSizeDtype) {
  const s = realSizeSpec(name, SCALE);
  const embed = await ort.InferenceSession.create(graphFile(name, 'embed_tokens', dtype));
  const { inputs_embeds } = await embed.run({
    input_ids: new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 300n]), [1, 3]),
  });
  const decoder = await ort.InferenceSession.create(graphFile(name, 'decoder_model_merged', dtype));
  const feeds: Record<string, ort.Tensor> = {
    inputs_embeds: inputs_embeds!,
    attention_mask: new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 1n]), [1, 3]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from([0n, 1n, 2n, 0n, 1n, 2n, 0n, 1n, 2n]), [3, 1, 3]),
  };
  for (let i = 0; i < s.numLayers; i++)
    for (const kv of ['key', 'value'])
      feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [
        1,
        s.numKvHeads,
        0,
        s.headDim,
      ]);
  const out = await decoder.run(feeds);
  const names = { embed: [embed.inputNames, embed.outputNames], decoder: [decoder.inputNames, decoder.outputNames] };
  await Promise.all([embed.release(), decoder.release()]);
  return { out, names, embeds: inputs_embeds!, s };
}

describe.each(REAL_SIZE_NAMES)('%s scaled down', (name) => {
  it.each(DTYPES)('%s: the vision encoder attends within each image and gives finite features', async (dtype) => {
    const { session, both, first, s } = await visionRun(name, dtype);
    expect(session.inputNames).toEqual(['pixel_values', s.gridInput]);
    expect(session.outputNames).toEqual(['image_features']);
    expect(both.dims).toEqual([20, s.hiddenSize]);
    expect(finite(both)).toBe(true);
    // The first image's features do not depend on the second image: a block-diagonal mask.
    // (Not under q8: DynamicQuantizeLinear's one activation scale spans both images.)
    const a = first.data as Float32Array;
    const b = (both.data as Float32Array).subarray(0, a.length);
    const diff = Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    if (dtype !== 'q8') expect(diff).toBeLessThan(1e-3);
  });

  it.each(DTYPES)('%s: embed_tokens and the decoder have the real I/O and finite logits', async (dtype) => {
    const { out, names, embeds, s } = await decoderRun(name, dtype);
    expect(names.embed).toEqual([['input_ids'], ['inputs_embeds']]);
    const layers = Array.from({ length: s.numLayers }, (_, i) => i);
    const past = layers.flatMap((i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]);
    const present = layers.flatMap((i) => [`present.${i}.key`, `present.${i}.value`]);
    expect(names.decoder).toEqual([
      ['inputs_embeds', 'attention_mask', 'position_ids', ...past],
      ['logits', ...present],
    ]);
    expect(out['logits']!.dims).toEqual([1, 3, s.vocabSize]);
    expect(out['present.0.key']!.dims).toEqual([1, s.numKvHeads, 3, s.headDim]);
    expect(finite(out['logits']!) && finite(embeds)).toBe(true);
  });

  it.each(DTYPES)('%s: graphs hold the quantized ops of their dtype', (dtype) => {
    for (const session of ['vision_encoder', 'decoder_model_merged']) {
      const bytes = readFileSync(graphFile(name, session, dtype)).toString('latin1');
      expect(bytes.includes('MatMulNBits')).toBe(dtype === 'q4');
      expect(bytes.includes('MatMulInteger')).toBe(dtype === 'q8');
      expect(bytes.includes('com.microsoft')).toBe(dtype === 'q4');
    }
  });
});

const models: LocalModel[] = [];
afterAll(async () => {
  for (const m of models) await m.dispose();
});

function frame(): PromptFrame {
  const im = syntheticFrame(56, 56, 1);
  return { t: 0, width: 56, height: 56, data: new Uint8Array(im.data.buffer, im.data.byteOffset, im.data.byteLength) };
}

describe.each(REAL_SIZE_NAMES)('%s through LocalModel', (name) => {
  it.each(DTYPES)('%s: loads with a manifest naming the dtype and answers over one frame', async (dtype) => {
    const manifest = ModelManifest.parse({
      ...JSON.parse(readFileSync(path.join(dirOf(name), 'tempo-model.json'), 'utf8')),
      dtype: { vision_encoder: dtype, embed_tokens: dtype, decoder_model_merged: dtype },
    });
    const m = await LocalModel.load(dirOf(name), manifest, 'cpu');
    models.push(m);
    const p = await m.prepare([framesMessage([[frame()]], 'When does the light turn on?')]);
    const [answer] = await m.generateTokens(p, { samples: 1, maxNewTokens: 3 });
    expect(answer!.ids.length).toBeGreaterThan(0);
    expect(answer!.ids.every((id) => id < 1000)).toBe(true); // within the stand-in tokenizer
    expect(Number.isFinite(await m.scoreContinuation(p, 'The event happens in 1 - 2 seconds.'))).toBe(true);
    expect(m.encoderStats.runs).toBe(1);
  });
});

describe('cachedRealSizeModel', () => {
  it('reads TEMPO_REAL_SIZE_DIR, else a folder under the home cache', () => {
    expect(realSizeCacheRoot({ TEMPO_REAL_SIZE_DIR: '/x/y' })).toBe('/x/y');
    expect(realSizeCacheRoot({})).toBe(path.join(os.homedir(), '.cache', 'tempo-review', 'real-size'));
  });

  it('reuses a stamped folder, adds missing dtypes and rewrites a half-written one', async () => {
    const cache = tempDir('tempo-real-size-cache-');
    const get = (dtypes: RealSizeDtype[]) =>
      cachedRealSizeModel('qwen2-vl-2b', dtypes, undefined, { scale: SCALE, root: cache });
    const dir = await get(['q4']);
    const data = path.join(dir, 'onnx', 'decoder_model_merged_q4.onnx_data');
    const size = statSync(data).size;
    const mtime = statSync(data).mtimeMs;
    expect(existsSync(path.join(dir, STAMP_FILE))).toBe(true);
    await get(['q4']);
    expect(statSync(data).mtimeMs).toBe(mtime);
    await get(['q8', 'q4']);
    expect(existsSync(path.join(dir, 'onnx', 'decoder_model_merged_quantized.onnx_data'))).toBe(true);
    expect(statSync(data).mtimeMs).toBe(mtime);
    expect(JSON.parse(readFileSync(path.join(dir, 'tempo-model.json'), 'utf8')).dtype.decoder_model_merged).toBe('q8');
    // Killed mid-way: no stamp and a short data file. The next call writes the folder anew.
    rmSync(path.join(dir, STAMP_FILE));
    truncateSync(data, 100);
    await get(['q4']);
    expect(statSync(data).size).toBe(size);
    expect(existsSync(path.join(dir, 'onnx', 'decoder_model_merged_quantized.onnx_data'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(dir, STAMP_FILE), 'utf8')).dtypes).toEqual(['q4']);
  });
});
