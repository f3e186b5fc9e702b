/**
 * The tiny model fixture in each published layout (Qwen2-VL, Qwen2.5-VL, Qwen3-VL; external
 * data, dtype suffixes, hub cache snapshot) through the real transformers.js +
 * onnxruntime-node pipeline, offline: each family loads with its own transformers.js class
 * and generates. Plumbing, not accuracy.
 */
import { lstat, mkdtemp, readdir, readFile, readlink, realpath, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  AutoConfig,
  AutoProcessor,
  Qwen2VLForConditionalGeneration,
  Qwen2_5_VLForConditionalGeneration,
  Qwen3VLForConditionalGeneration,
  Tensor,
} from '@huggingface/transformers';
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
  type TinyModelOptions,
} from '../../fixtures/tiny-qwen2vl/generate.js';
import { goOffline, syntheticFrame } from './qwen2vl-driver.js';

const ANSWER = '2-5';

interface Case {
  family: TinyFamily;
  cls:
    | typeof Qwen2VLForConditionalGeneration
    | typeof Qwen2_5_VLForConditionalGeneration
    | typeof Qwen3VLForConditionalGeneration;
  processor: string;
  grid: 'grid_thw' | 'image_grid_thw';
  patchDim: number;
  /** image_grid_thw of one 448x252 frame under the fixture's min/max pixels. */
  grid448x252: [number, number, number];
  opts: TinyModelOptions;
  dtype: 'fp32' | 'q4';
}

const CASES: Case[] = [
  {
    family: 'qwen2_vl',
    cls: Qwen2VLForConditionalGeneration,
    processor: 'Qwen2VLProcessor',
    grid: 'grid_thw',
    patchDim: 1176,
    grid448x252: [1, 12, 20],
    opts: {},
    dtype: 'fp32',
  },
  {
    family: 'qwen2_5_vl',
    cls: Qwen2_5_VLForConditionalGeneration,
    processor: 'Qwen2_5_VLProcessor',
    grid: 'image_grid_thw',
    patchDim: 1176,
    grid448x252: [1, 12, 20],
    opts: { manifest: false },
    dtype: 'fp32',
  },
  {
    // As onnx-community/Qwen3-VL-2B-Instruct-ONNX: q4 graphs with .onnx_data, an onnxruntime/ folder.
    family: 'qwen3_vl',
    cls: Qwen3VLForConditionalGeneration,
    processor: 'Qwen3VLProcessor',
    grid: 'image_grid_thw',
    patchDim: 1536,
    grid448x252: [1, 4, 8],
    opts: { manifest: false, externalData: true, dtypes: ['fp32', 'q4'], onnxruntimeFolder: true },
    dtype: 'q4',
  },
];

let root: string;
let fetchAttempts: string[];
const dirs = new Map<TinyFamily, string>();

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'tiny-families-'));
  fetchAttempts = goOffline(root);
  for (const c of CASES) {
    dirs.set(c.family, await makeTinyModel(path.join(root, c.family), { family: c.family, answer: ANSWER, ...c.opts }));
  }
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

/** Records the feeds' shapes and outputs' shapes of every run of an ORT session. */
function spyOn(session: InferenceSession) {
  const calls: { feeds: Record<string, readonly number[]>; outputs: Record<string, readonly number[]> }[] = [];
  const run = session.run.bind(session) as (feeds: InferenceSession.FeedsType) => Promise<InferenceSession.ReturnType>;
  (session as { run: unknown }).run = async (feeds: InferenceSession.FeedsType) => {
    const out = await run(feeds);
    const dims = (o: Record<string, { dims: readonly number[] }>) =>
      Object.fromEntries(Object.entries(o).map(([k, t]) => [k, t.dims]));
    calls.push({ feeds: dims(feeds as never), outputs: dims(out as never) });
    return out;
  };
  return calls;
}

describe.each(CASES)('tiny $family fixture through transformers.js (cpu, offline)', (c) => {
  it('loads with its own class and processor and generates from an image', async () => {
    const spec = tinyModelSpec({ family: c.family });
    const processor = await AutoProcessor.from_pretrained(c.family);
    expect(processor.constructor.name).toBe(c.processor);
    const tokenizer = processor.tokenizer;
    if (!tokenizer) throw new Error('no tokenizer');
    const model = (await c.cls.from_pretrained(c.family, { device: 'cpu', dtype: c.dtype })) as InstanceType<
      typeof c.cls
    >;
    try {
      expect(model).toBeInstanceOf(c.cls);
      const vision = model.sessions['vision_encoder'] as InferenceSession;
      const decoder = model.sessions['decoder_model_merged'] as InferenceSession;
      expect(vision.inputNames).toEqual(['pixel_values', c.grid]);
      expect(decoder.inputNames.slice(0, 3)).toEqual(['inputs_embeds', 'attention_mask', 'position_ids']);
      const visionCalls = spyOn(vision);
      const decoderCalls = spyOn(decoder);

      const text = processor.apply_chat_template(
        [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'When does the door open?' }] }],
        { add_generation_prompt: true, tokenize: false },
      ) as unknown as string;
      expect(text).toContain('<|vision_start|><|image_pad|><|vision_end|>When does the door open?<|im_end|>');
      expect(text.endsWith('<|im_start|>assistant\n')).toBe(true);
      // Qwen2-VL and Qwen2.5-VL add a default system prompt; Qwen3-VL does not.
      expect(text.startsWith('<|im_start|>system\nYou are a helpful assistant.')).toBe(c.family !== 'qwen3_vl');

      const inputs = (await processor(text, syntheticFrame(448, 252, 1))) as Record<string, Tensor>;
      const patches = c.grid448x252.reduce((a, b) => a * b, 1);
      expect(inputs['pixel_values']?.dims).toEqual([patches, c.patchDim]);
      expect(inputs['image_grid_thw']?.tolist()).toEqual([c.grid448x252.map(BigInt)]);

      const out = await model.generate({ ...inputs, max_new_tokens: 6, do_sample: false });
      if (!(out instanceof Tensor)) throw new Error('generate returned a ModelOutput');
      const fresh = (out.tolist()[0] as bigint[]).slice(inputs['input_ids']?.dims[1]).map(Number);
      expect(tokenizer.decode(fresh, { skip_special_tokens: true })).toBe(ANSWER);
      expect(fresh.at(-1)).toBe(spec.ids['<|im_end|>']);

      // The grid reached the vision session under the family's input name; features = patches / 4.
      expect(visionCalls).toEqual([
        {
          feeds: { pixel_values: [patches, c.patchDim], [c.grid]: [1, 3] },
          outputs: { image_features: [patches / 4, spec.hiddenSize] },
        },
      ]);
      const promptLength = inputs['input_ids']?.dims[1] ?? 0;
      expect(decoderCalls[0]?.feeds['position_ids']).toEqual([3, 1, promptLength]);
      expect(decoderCalls[1]?.feeds['position_ids']).toEqual([3, 1, 1]);
      expect(decoderCalls[1]?.feeds['past_key_values.0.key']).toEqual([1, spec.numKvHeads, promptLength, spec.headDim]);
    } finally {
      await model.dispose();
    }
  });

  it('writes config.json in the published layout of the family', async () => {
    const config = await readJson(path.join(dirs.get(c.family) ?? '', 'config.json'));
    const spec = tinyModelSpec({ family: c.family });
    expect(config['model_type']).toBe(c.family);
    expect(config['image_token_id']).toBe(spec.ids['<|image_pad|>']);
    expect(config['vision_start_token_id']).toBe(spec.ids['<|vision_start|>']);
    const vision = config['vision_config'] as Record<string, unknown>;
    expect(vision['patch_size']).toBe(c.family === 'qwen3_vl' ? 16 : 14);
    expect(vision['spatial_merge_size']).toBe(2);
    if (c.family === 'qwen2_vl') {
      expect(config['num_hidden_layers']).toBe(spec.numLayers);
      expect(config).not.toHaveProperty('text_config');
      return;
    }
    const textConfig = config['text_config'] as Record<string, unknown>;
    expect(config).not.toHaveProperty('num_hidden_layers');
    expect(textConfig).toMatchObject({
      model_type: `${c.family}_text`,
      num_hidden_layers: spec.numLayers,
      num_key_value_heads: spec.numKvHeads,
      head_dim: spec.headDim,
    });
    expect(vision['out_hidden_size']).toBe(spec.hiddenSize);
    if (c.family === 'qwen2_5_vl') {
      expect(vision).toMatchObject({ model_type: 'qwen2_5_vl', tokens_per_second: 2, window_size: 112 });
      expect(textConfig['rope_scaling']).toEqual({ type: 'mrope', mrope_section: spec.mropeSection });
    } else {
      expect(vision).toMatchObject({ model_type: 'qwen3_vl', deepstack_visual_indexes: [0] });
      expect(textConfig['rope_scaling']).toEqual({
        rope_type: 'default',
        mrope_section: spec.mropeSection,
        mrope_interleaved: true,
      });
    }
  });
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
