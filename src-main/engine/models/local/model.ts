import path from 'node:path';
import { AutoProcessor, Qwen2VLForConditionalGeneration, Tensor, cat } from '@huggingface/transformers';
import type { PreTrainedTokenizer, Processor } from '@huggingface/transformers';
import type { Device } from '../devices.js';
import { SessionName, type ModelManifest } from '../manifest.js';
import { configureOffline } from './offline.js';
import { buildPrompt, type PromptFrame, type PromptInputs } from './prompt.js';

export interface GenerateOptions {
  /** Answers to draw; the first is greedy, the rest sampled at `temperature`. */
  samples: number;
  maxNewTokens: number;
  temperature?: number;
  signal?: AbortSignal;
}

/** A prompt built once and asked several times (samples, then answer and refusal scoring). */
export type Prepared = PromptInputs & { promptLength: number };

function logSoftmaxAt(logits: Float32Array, vocab: number, row: number, token: number): number {
  const slice = logits.subarray(row * vocab, (row + 1) * vocab);
  let max = -Infinity;
  for (const v of slice) if (v > max) max = v;
  let sum = 0;
  for (const v of slice) sum += Math.exp(v - max);
  return (slice[token] as number) - max - Math.log(sum);
}

/**
 * A Qwen2-VL-family model loaded from its folder through transformers.js on one device,
 * offline. Frames always go with the text (text-only prompts hit a position bug in
 * transformers.js 4.3.1's text-only rope index).
 */
export class LocalModel {
  private constructor(
    readonly manifest: ModelManifest,
    readonly dir: string,
    readonly device: Device,
    private readonly processor: Processor,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: Qwen2VLForConditionalGeneration,
  ) {}

  /** Loads a checked model folder on a checked device. */
  static async load(dir: string, manifest: ModelManifest, device: Device): Promise<LocalModel> {
    configureOffline(path.dirname(dir));
    const name = path.basename(dir);
    const processor = await AutoProcessor.from_pretrained(name);
    const tokenizer = processor.tokenizer;
    if (!tokenizer) throw new Error(`${dir}: no tokenizer (tokenizer_config.json)`);
    const dtype = Object.fromEntries(SessionName.options.map((s) => [s, manifest.dtype[s] ?? 'fp32']));
    const model = (await Qwen2VLForConditionalGeneration.from_pretrained(name, {
      device,
      dtype,
    })) as Qwen2VLForConditionalGeneration;
    return new LocalModel(manifest, dir, device, processor, tokenizer, model);
  }

  async prepare(frames: readonly PromptFrame[], instruction: string): Promise<Prepared> {
    const { input_ids, attention_mask, pixel_values, image_grid_thw } = await buildPrompt(
      this.processor,
      this.tokenizer,
      frames,
      instruction,
    );
    return { input_ids, attention_mask, pixel_values, image_grid_thw, promptLength: input_ids.dims[1] ?? 0 };
  }

  private inputs(p: Prepared): PromptInputs {
    return {
      input_ids: p.input_ids,
      attention_mask: p.attention_mask,
      pixel_values: p.pixel_values,
      image_grid_thw: p.image_grid_thw,
    };
  }

  /** Draws answers to a prepared prompt; returns their texts, special tokens dropped. */
  async generate(p: Prepared, opts: GenerateOptions): Promise<string[]> {
    const texts: string[] = [];
    for (let i = 0; i < opts.samples; i++) {
      if (opts.signal?.aborted) throw new Error('cancelled');
      const sampled = i > 0;
      const out = await this.model.generate({
        ...this.inputs(p),
        max_new_tokens: opts.maxNewTokens,
        do_sample: sampled,
        // Qwen2-VL's generation_config sets top_p 0.001 and top_k 1: sampling must override both.
        ...(sampled ? { temperature: opts.temperature ?? 0.7, top_k: 50, top_p: 1 } : {}),
      });
      if (!(out instanceof Tensor)) throw new Error('generate returned no token tensor');
      const ids = (out.tolist()[0] as bigint[]).slice(p.promptLength).map(Number);
      texts.push(this.tokenizer.decode(ids, { skip_special_tokens: true }));
    }
    return texts;
  }

  /** Mean log-probability per token of `text` as the continuation of the prompt (teacher-forced). */
  async scoreContinuation(p: Prepared, text: string): Promise<number> {
    const ids = this.tokenizer.encode(text, { add_special_tokens: false });
    if (ids.length === 0) return 0;
    const cont = new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
    const input_ids = cat([p.input_ids, cont], 1);
    const attention_mask = cat(
      [p.attention_mask, new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length])],
      1,
    );
    const none = null as unknown as Tensor;
    const [position_ids] = this.model.get_rope_index(input_ids, p.image_grid_thw, none, attention_mask);
    const out = (await this.model.forward({ ...this.inputs(p), input_ids, attention_mask, position_ids })) as {
      logits: Tensor;
    };
    const [, , vocab = 0] = out.logits.dims;
    const logits = out.logits.data as Float32Array;
    let total = 0;
    ids.forEach((tok, j) => {
      total += logSoftmaxAt(logits, vocab, p.promptLength + j - 1, tok);
    });
    return total / ids.length;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
