/**
 * The tiny model fixture's options (external data, dtype suffixes, manifest, flat config,
 * M-RoPE rows) and its hub cache snapshot layout, through transformers.js offline.
 */
import { lstat, readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { AutoConfig, Qwen3VLForConditionalGeneration } from '@huggingface/transformers';
import type { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asHubSnapshot, hubRepoFolder } from '../../fixtures/hub-snapshot.js';
import {
  makeTinyModel,
  makeTinyQwen2VL,
  mropeRows,
  ONNXRUNTIME_FOLDER,
  TINY_DTYPE_SUFFIX,
  TINY_SESSIONS,
  tinyModelSpec,
  type TinyFamily,
} from '../../fixtures/tiny-qwen2vl/generate.js';
import { makeCaseModels, readJson } from './family-cases.js';

let root: string;
let remove: (() => Promise<void>) | undefined;
let fetchAttempts: string[];
let dirs: Map<TinyFamily, string>;

beforeAll(async () => {
  const made = await makeCaseModels();
  ({ root, dirs, fetchAttempts, remove } = made);
});

afterAll(async () => {
  await remove?.();
});

describe('tiny model fixture options', () => {
  it('keeps makeTinyQwen2VL as the same writer, qwen2_vl and fp32 by default', async () => {
    const a = await makeTinyQwen2VL(path.join(root, 'default-a'));
    const b = await makeTinyModel(path.join(root, 'default-b'), { family: 'qwen2_vl', dtypes: ['fp32'] });
    for (const file of ['config.json', 'onnx/decoder_model_merged.onnx', 'onnx/vision_encoder.onnx']) {
      expect((await readFile(path.join(a, file))).equals(await readFile(path.join(b, file)))).toBe(true);
    }
    expect((await readdir(path.join(a, 'onnx'))).sort()).toEqual(
      ['decoder_model_merged.onnx', 'embed_tokens.onnx', 'vision_encoder.onnx'].sort(),
    );
    expect(await readJson(path.join(a, 'tempo-model.json'))).toMatchObject({ family: 'qwen2_vl', profile: 'qwen2-vl' });
  });

  it('manifest: true names the family; false writes no tempo-model.json', async () => {
    const dir = await makeTinyModel(path.join(root, 'manifest-q3'), { family: 'qwen3_vl', dtypes: ['q4f16'] });
    expect(await readJson(path.join(dir, 'tempo-model.json'))).toMatchObject({
      family: 'qwen3_vl',
      dtype: { vision_encoder: 'q4f16', embed_tokens: 'q4f16', decoder_model_merged: 'q4f16' },
    });
    await expect(stat(path.join(dirs.get('qwen2_5_vl') ?? '', 'tempo-model.json'))).rejects.toThrow();
  });

  it('externalData: the .onnx is small and its .onnx_data, named inside it, holds the weights', async () => {
    const onnxDir = path.join(dirs.get('qwen3_vl') ?? '', 'onnx');
    for (const session of TINY_SESSIONS) {
      for (const suffix of ['', '_q4']) {
        const graph = await readFile(path.join(onnxDir, `${session}${suffix}.onnx`));
        const data = await readFile(path.join(onnxDir, `${session}${suffix}.onnx_data`));
        expect(graph.includes(Buffer.from(`${session}${suffix}.onnx_data`))).toBe(true);
        expect(graph.length).toBeLessThan(20_000);
        expect(data.length).toBeGreaterThan(10 * graph.length);
        // external_data entries {key: 'offset', value: '<digits>'}: each tensor starts on a 4096-byte boundary.
        const valueTag = String.fromCharCode(0x12); // StringStringEntryProto.value, length-delimited
        const offsets = [...graph.toString('latin1').matchAll(new RegExp(`offset${valueTag}.([0-9]+)`, 'gs'))].map(
          (m) => Number(m[1]),
        );
        expect(offsets.length).toBeGreaterThan(0);
        expect(offsets.every((o) => o % 4096 === 0 && o < data.length)).toBe(true);
      }
    }
    // Same seed, same embedding table: inline in the qwen2_vl graph, in the .onnx_data here.
    const spec = tinyModelSpec();
    const table = (await readFile(path.join(onnxDir, 'embed_tokens.onnx_data'))).subarray(
      0,
      spec.vocabSize * spec.hiddenSize * 4,
    );
    const inline = await readFile(path.join(dirs.get('qwen2_vl') ?? '', 'onnx', 'embed_tokens.onnx'));
    expect(inline.includes(table)).toBe(true);
    const config = await readJson(path.join(onnxDir, '..', 'config.json'));
    expect(config['transformers.js_config']).toEqual({
      use_external_data_format: Object.fromEntries(
        ['', '_q4'].flatMap((s) => TINY_SESSIONS.map((n) => [`${n}${s}.onnx`, 1])),
      ),
    });
  });

  it('dtypes: writes the three sessions under every suffix asked for', async () => {
    const dtypes = ['fp32', 'fp16', 'q8', 'q4f16', 'bnb4', 'q1f16'] as const;
    const dir = await makeTinyModel(path.join(root, 'dtypes'), { dtypes: [...dtypes] });
    const expected = dtypes.flatMap((d) => TINY_SESSIONS.map((s) => `${s}${TINY_DTYPE_SUFFIX[d]}.onnx`));
    expect((await readdir(path.join(dir, 'onnx'))).sort()).toEqual(expected.sort());
  });

  it('flatConfig: a Time-R1-era Qwen2.5-VL config is flat, and transformers.js 4.3.1 refuses it', async () => {
    const dir = await makeTinyModel(path.join(root, 'flat'), { family: 'qwen2_5_vl', flatConfig: true });
    const config = await readJson(path.join(dir, 'config.json'));
    expect(config).not.toHaveProperty('text_config');
    expect(config).toMatchObject({
      model_type: 'qwen2_5_vl',
      num_hidden_layers: 2,
      image_token_id: expect.any(Number),
    });
    await expect(AutoConfig.from_pretrained('flat')).rejects.toThrow(/model_type/);
  });

  it('Qwen3-VL interleaves M-RoPE frequencies t h w t h w ... as HF apply_interleaved_mrope', () => {
    // Qwen3-VL-2B: head_dim 128, mrope_section [24, 20, 20].
    const rows = mropeRows([24, 20, 20], true);
    expect(rows.slice(0, 9)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(rows.slice(57)).toEqual([0, 1, 2, 0, 0, 0, 0]);
    expect([0, 1, 2].map((r) => rows.filter((x) => x === r).length)).toEqual([24, 20, 20]);
    // Qwen2-VL: contiguous chunks.
    expect(mropeRows([16, 24, 24], false).slice(14, 18)).toEqual([0, 0, 1, 1]);
    expect(tinyModelSpec({ family: 'qwen3_vl' }).mropeSection).toEqual([4, 2, 2]);
  });

  it('never touched the network', () => {
    expect(fetchAttempts).toEqual([]);
  });
});

describe('asHubSnapshot', () => {
  it('lays a folder out as the hub cache: blobs, relative symlinks, refs/main', async () => {
    const modelDir = dirs.get('qwen3_vl') ?? '';
    const cache = path.join(root, 'hub');
    const snapshot = await asHubSnapshot(modelDir, cache, 'onnx-community/Tiny-Qwen3-VL');
    const repoDir = path.join(cache, hubRepoFolder('onnx-community/Tiny-Qwen3-VL'));
    expect(repoDir.endsWith('models--onnx-community--Tiny-Qwen3-VL')).toBe(true);
    const commit = path.basename(snapshot);
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(path.dirname(snapshot)).toBe(path.join(repoDir, 'snapshots'));
    expect(await readFile(path.join(repoDir, 'refs', 'main'), 'utf8')).toBe(commit);

    const files = [
      'config.json',
      'onnx/decoder_model_merged_q4.onnx',
      'onnx/decoder_model_merged_q4.onnx_data',
      `${ONNXRUNTIME_FOLDER}/text.onnx`,
    ];
    for (const rel of files) {
      const link = path.join(snapshot, rel);
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      const target = await readlink(link);
      expect(path.isAbsolute(target)).toBe(false);
      const blob = await realpath(link);
      expect(path.dirname(blob)).toBe(await realpath(path.join(repoDir, 'blobs')));
      expect((await lstat(blob)).isFile()).toBe(true);
      expect((await readFile(link)).equals(await readFile(path.join(modelDir, rel)))).toBe(true);
    }
    // The same content again: same commit, nothing new.
    expect(await asHubSnapshot(modelDir, cache, 'onnx-community/Tiny-Qwen3-VL')).toBe(snapshot);
  });

  it('the snapshot loads through its symlinks, external data included', async () => {
    const snapshot = await asHubSnapshot(dirs.get('qwen3_vl') ?? '', path.join(root, 'hub-load'));
    expect((await readdir(path.join(snapshot, ONNXRUNTIME_FOLDER))).sort()).toEqual([
      'embedding.onnx',
      'genai_config.json',
      'processor_config.json',
      'text.onnx',
      'vision.onnx',
    ]);
    const model = await Qwen3VLForConditionalGeneration.from_pretrained(snapshot, { device: 'cpu', dtype: 'q4' });
    try {
      expect((model.sessions['vision_encoder'] as InferenceSession).inputNames).toEqual([
        'pixel_values',
        'image_grid_thw',
      ]);
    } finally {
      await model.dispose();
    }
  });
});
