/**
 * Typed helpers that drive a Qwen2-VL folder through the real transformers.js API the way
 * the grounding pipeline will: offline env, frames processed one by one, greedy decoding.
 */
import {
  AutoProcessor,
  DynamicCache,
  Qwen2VLForConditionalGeneration,
  RawImage,
  Tensor,
  cat,
  env,
} from '@huggingface/transformers';
import type { PreTrainedTokenizer, Processor } from '@huggingface/transformers';
import { InferenceSession, listSupportedBackends } from 'onnxruntime-node';
import { configureOffline } from '../../../src-main/engine/models/local/offline.js';
import { buildPrompt, framesMessage } from '../../../src-main/engine/models/local/prompt.js';

export type Device = 'cpu' | 'webgpu';

export interface Loaded {
  processor: Processor;
  tokenizer: PreTrainedTokenizer;
  model: Qwen2VLForConditionalGeneration;
}

/** Model inputs for generate/forward; the vision fields are present only with frames. */
export interface PromptInputs {
  input_ids: Tensor;
  attention_mask: Tensor;
  pixel_values?: Tensor;
  image_grid_thw?: Tensor;
}

export interface Frame {
  /** Seconds from the start of the video, written before the frame as `<1.5s>`. */
  time: number;
  image: RawImage;
}

/**
 * Local files only: no remote models, no FS cache, and an `env.fetch` that records and
 * rejects every call. Returns the list of attempted URLs (expected to stay empty).
 */
export function goOffline(localModelPath: string): string[] {
  const attempts: string[] = [];
  configureOffline(localModelPath);
  env.fetch = async (input: string | URL) => {
    attempts.push(String(input));
    throw new Error(`network access attempted: ${String(input)}`);
  };
  return attempts;
}

export async function load(name: string, device: Device): Promise<Loaded> {
  const processor = await AutoProcessor.from_pretrained(name);
  const tokenizer = processor.tokenizer;
  if (!tokenizer) throw new Error(`${name}: the processor has no tokenizer (tokenizer_config.json missing?)`);
  // from_pretrained is typed as returning PreTrainedModel.
  const model = (await Qwen2VLForConditionalGeneration.from_pretrained(name, {
    device,
    dtype: 'fp32',
  })) as Qwen2VLForConditionalGeneration;
  return { processor, tokenizer, model };
}

export function textPrompt({ processor, tokenizer }: Loaded, question: string): PromptInputs {
  const text = processor.apply_chat_template([{ role: 'user', content: question }], {
    add_generation_prompt: true,
    tokenize: false,
  });
  const { input_ids, attention_mask } = tokenizer(String(text));
  return { input_ids, attention_mask };
}

/** A prompt with a timestamp before every frame, built by the engine's own prompt builder. */
export async function framesPrompt({ processor, tokenizer }: Loaded, frames: Frame[], question: string) {
  const promptFrames = frames.map((f) => ({
    t: f.time,
    width: f.image.width,
    height: f.image.height,
    data: new Uint8Array(f.image.data.buffer, f.image.data.byteOffset, f.image.data.byteLength),
  }));
  return buildPrompt(processor, tokenizer, [
    framesMessage(
      promptFrames.map((f) => [f]),
      question,
    ),
  ]);
}

/** A solid-colour RGB frame with a lighter square whose place depends on `seed`. */
export function syntheticFrame(width: number, height: number, seed: number): RawImage {
  const data = new Uint8ClampedArray(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inSquare = Math.abs(x - ((seed * 17) % width)) < 8 && Math.abs(y - ((seed * 11) % height)) < 8;
      const o = (y * width + x) * 3;
      data[o] = inSquare ? 240 : 40 + seed * 30;
      data[o + 1] = inSquare ? 240 : 90;
      data[o + 2] = inSquare ? 20 : 160 - seed * 20;
    }
  }
  return new RawImage(data, width, height, 3);
}

/** Only the fields the model takes (drops helper extras such as tokensPerImage). */
export function modelInputs({ input_ids, attention_mask, pixel_values, image_grid_thw }: PromptInputs): PromptInputs {
  return pixel_values && image_grid_thw
    ? { input_ids, attention_mask, pixel_values, image_grid_thw }
    : { input_ids, attention_mask };
}

/** Greedy generation through `generate` (KV cache on); returns only the new token ids. */
export async function greedy(model: Qwen2VLForConditionalGeneration, inputs: PromptInputs, maxNewTokens: number) {
  const out = await model.generate({ ...modelInputs(inputs), max_new_tokens: maxNewTokens, do_sample: false });
  if (!(out instanceof Tensor)) throw new Error('generate returned a ModelOutput, expected a Tensor');
  return (out.tolist()[0] as bigint[]).slice(inputs.input_ids.dims[1]).map(Number);
}

/** Index of the largest value in the last row of logits [1, seq, vocab]. */
export function lastArgmax(logits: Tensor): number {
  const [, seq = 0, vocab = 0] = logits.dims;
  const row = (logits.data as Float32Array).subarray((seq - 1) * vocab, seq * vocab);
  return row.reduce((best, v, i) => (v > (row[best] ?? -Infinity) ? i : best), 0);
}

/**
 * Greedy decoding with no cache: every step re-runs the whole growing sequence from
 * scratch, with position_ids from get_rope_index over the full sequence.
 */
export async function greedyWithoutCache(model: Qwen2VLForConditionalGeneration, inputs: PromptInputs, steps: number) {
  let { input_ids, attention_mask } = inputs;
  const tokens: number[] = [];
  for (let i = 0; i < steps; i++) {
    const [position_ids] = ropeIndex(model, input_ids, attention_mask, inputs.image_grid_thw);
    const out = await model.forward({ ...modelInputs(inputs), input_ids, attention_mask, position_ids });
    const next = lastArgmax(out.logits as Tensor);
    tokens.push(next);
    input_ids = cat([input_ids, new Tensor('int64', [BigInt(next)], [1, 1])], 1);
    attention_mask = cat([attention_mask, new Tensor('int64', [1n], [1, 1])], 1);
  }
  return tokens;
}

/** get_rope_index with optional grids (its typings require them). */
export function ropeIndex(
  model: Qwen2VLForConditionalGeneration,
  inputIds: Tensor,
  attentionMask: Tensor,
  imageGridThw?: Tensor,
): [Tensor, Tensor] {
  const none = null as unknown as Tensor;
  return model.get_rope_index(inputIds, imageGridThw ?? none, none, attentionMask);
}

/** The present.* outputs of a forward pass as the next step's past_key_values. */
export function cacheFrom(outputs: Record<string, Tensor>): DynamicCache {
  const entries = Object.entries(outputs)
    .filter(([name]) => name.startsWith('present.'))
    .map(([name, t]) => [name.replace('present', 'past_key_values'), t] as const);
  return new DynamicCache(Object.fromEntries(entries));
}

/** Whether onnxruntime-node can open a WebGPU session here, and why not. */
export async function webgpuStatus(probeModel: string): Promise<{ ok: boolean; reason: string }> {
  process.env['XDG_RUNTIME_DIR'] ||= '/tmp';
  const backend = listSupportedBackends().find((b) => b.name === 'webgpu');
  if (!backend?.bundled) return { ok: false, reason: 'onnxruntime-node lists no bundled webgpu backend' };
  return InferenceSession.create(probeModel, { executionProviders: ['webgpu'] }).then(
    async (session) => {
      await session.release();
      return { ok: true, reason: '' };
    },
    (error: unknown) => ({ ok: false, reason: String(error) }),
  );
}
