/**
 * The tiny model fixture in each published layout (Qwen2-VL, Qwen2.5-VL, Qwen3-VL) through
 * the real transformers.js + onnxruntime-node pipeline, offline: each family loads with its
 * own transformers.js class and generates. Plumbing, not accuracy. The fixture's options and
 * the hub cache layout: fixture-layout.test.ts.
 */
import path from 'node:path';
import { AutoProcessor, Tensor } from '@huggingface/transformers';
import type { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModelSpec, type TinyFamily } from '../../fixtures/tiny-qwen2vl/generate.js';
import { ANSWER, CASES, makeCaseModels, readJson } from './family-cases.js';
import { syntheticFrame } from './qwen2vl-driver.js';

let remove: (() => Promise<void>) | undefined;
let fetchAttempts: string[];
let dirs: Map<TinyFamily, string>;

beforeAll(async () => {
  const made = await makeCaseModels();
  ({ dirs, fetchAttempts, remove } = made);
});

afterAll(async () => {
  await remove?.();
});

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

describe('offline', () => {
  it('never touched the network', () => {
    expect(fetchAttempts).toEqual([]);
  });
});
