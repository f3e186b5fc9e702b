import { statSync } from 'node:fs';
import path from 'node:path';
import { AutoProcessor, Qwen2VLForConditionalGeneration, Tensor, cat } from '@huggingface/transformers';
import type { PreTrainedTokenizer, Processor } from '@huggingface/transformers';
import type { DiskCache } from '../../cache/disk-cache.js';
import { FeatureCache, type ImageFeatures } from '../../cache/features.js';
import type { Device } from '../devices.js';
import { DTYPE_SUFFIX, SessionName, type ModelManifest } from '../manifest.js';
import { configureOffline } from './offline.js';
import { buildPrompt, imageParts, mergeSizeOf, type PromptInputs, type PromptMessage } from './prompt.js';

export interface GenerateOptions {
  /** Answers to draw; the first is greedy unless `temperature` > 0 is asked of all. */
  samples: number;
  maxNewTokens: number;
  /** Temperature of the sampled answers (default 0.7). */
  temperature?: number;
  /** Sample the first answer too (a server asked for temperature > 0). */
  sampleAll?: boolean;
  signal?: AbortSignal;
}

export interface Generated {
  text: string;
  /** The reply's tokens, without the end-of-turn token that stopped it. */
  ids: number[];
  /** 'stop' when the model ended its answer, 'length' when max_new_tokens cut it. */
  finish: 'stop' | 'length';
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  top: { token: string; logprob: number }[];
}

interface PreparedImage {
  key: string | null;
  grid: number[];
  features: ImageFeatures | null;
}

/** A prompt built once and asked several times (samples, then answer and refusal scoring). */
export type Prepared = PromptInputs & { promptLength: number; images: PreparedImage[] };

export interface LoadOptions {
  /** Where vision features are kept between calls and processes; none keeps them per prompt only. */
  cache?: DiskCache;
}

function logSoftmaxRow(logits: Float32Array, vocab: number, row: number): Float32Array {
  const slice = logits.subarray(row * vocab, (row + 1) * vocab);
  let max = -Infinity;
  for (const v of slice) if (v > max) max = v;
  let sum = 0;
  for (const v of slice) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return slice.map((v) => v - lse);
}

function topK(row: Float32Array, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < row.length; i++) {
    if (best.length < k || (row[i] as number) > (row[best.at(-1) as number] as number)) {
      best.push(i);
      best.sort((a, b) => (row[b] as number) - (row[a] as number));
      if (best.length > k) best.pop();
    }
  }
  return best;
}

type EncodeImage = (inputs: { pixel_values: Tensor; image_grid_thw: Tensor }) => Promise<Tensor>;

/**
 * A Qwen2-VL-family model loaded from its folder through transformers.js on one device,
 * offline. Images always go with the text (text-only prompts hit a position bug in
 * transformers.js 4.3.1's text-only rope index). Vision features are computed once per
 * image part: kept on the prepared prompt for its samples and scores, and in the feature
 * cache (when given) for later prompts, so the vision encoder sees each frame once.
 */
export class LocalModel {
  private readonly pending = new WeakMap<Tensor, Prepared>();
  /** Vision-encoder runs and the image parts they encoded (for tests and benches). */
  readonly encoderStats = { runs: 0, images: 0 };

  private constructor(
    readonly manifest: ModelManifest,
    readonly dir: string,
    readonly device: Device,
    private readonly processor: Processor,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: Qwen2VLForConditionalGeneration,
    readonly features: FeatureCache | null,
  ) {
    const original = model.encode_image.bind(model) as EncodeImage;
    (model as unknown as { encode_image: EncodeImage }).encode_image = async (inputs) => {
      const p = this.pending.get(inputs.pixel_values);
      return p ? this.imageFeatures(p, original) : original(inputs);
    };
  }

  /** Loads a checked model folder on a checked device. */
  static async load(dir: string, manifest: ModelManifest, device: Device, opts: LoadOptions = {}): Promise<LocalModel> {
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
    const features = opts.cache ? new FeatureCache(opts.cache, visionKey(dir, manifest)) : null;
    return new LocalModel(manifest, dir, device, processor, tokenizer, model, features);
  }

  /** Tokenizes the messages and readies the images, reusing cached features where there are some. */
  async prepare(messages: readonly PromptMessage[]): Promise<Prepared> {
    const parts = imageParts(messages);
    const images: PreparedImage[] = await Promise.all(
      parts.map(async (part) => {
        const key = this.features ? this.features.key(part) : null;
        const features = key && this.features ? await this.features.get(key) : null;
        return { key, grid: features?.grid ?? [], features };
      }),
    );
    const built = await buildPrompt(
      this.processor,
      this.tokenizer,
      messages,
      images.map((im) => (im.features ? im.grid : undefined)),
    );
    built.grids.forEach((g, i) => ((images[i] as PreparedImage).grid = g));
    const prepared: Prepared = {
      input_ids: built.input_ids,
      attention_mask: built.attention_mask,
      pixel_values: built.pixel_values,
      image_grid_thw: built.image_grid_thw,
      promptLength: built.input_ids.dims[1] ?? 0,
      images,
    };
    this.pending.set(prepared.pixel_values, prepared);
    return prepared;
  }

  /** The features of every image of a prompt, in order; only the parts not yet known are encoded. */
  private async imageFeatures(p: Prepared, encode: EncodeImage): Promise<Tensor> {
    const missing = p.images.filter((im) => !im.features);
    if (missing.length > 0) {
      const grid = new Tensor('int64', BigInt64Array.from(missing.flatMap((m) => m.grid).map(BigInt)), [
        missing.length,
        3,
      ]);
      const out = await encode({ pixel_values: p.pixel_values, image_grid_thw: grid });
      this.encoderStats.runs++;
      this.encoderStats.images += missing.length;
      const hidden = out.dims[1] ?? 0;
      const all = out.data as Float32Array;
      const merge = mergeSizeOf(this.processor);
      let row = 0;
      for (const m of missing) {
        const n = gridProduct(m.grid) / merge ** 2;
        m.features = { grid: m.grid, dims: [n, hidden], data: all.slice(row * hidden, (row + n) * hidden) };
        row += n;
        if (this.features && m.key) await this.features.put(m.key, m.features);
      }
    }
    const feats = p.images.map((im) => im.features as ImageFeatures);
    const hidden = feats[0]?.dims[1] ?? 0;
    const total = feats.reduce((a, f) => a + f.dims[0], 0);
    const data = new Float32Array(total * hidden);
    let at = 0;
    for (const f of feats) {
      data.set(f.data, at);
      at += f.data.length;
    }
    return new Tensor('float32', data, [total, hidden]);
  }

  private inputs(p: Prepared): PromptInputs {
    return {
      input_ids: p.input_ids,
      attention_mask: p.attention_mask,
      pixel_values: p.pixel_values,
      image_grid_thw: p.image_grid_thw,
    };
  }

  /** Draws answers to a prepared prompt, with their token ids; texts have special tokens dropped. */
  async generateTokens(p: Prepared, opts: GenerateOptions): Promise<Generated[]> {
    const out: Generated[] = [];
    const eos = new Set([this.model.generation_config?.eos_token_id ?? []].flat().map(Number));
    for (let i = 0; i < opts.samples; i++) {
      if (opts.signal?.aborted) throw new Error('cancelled');
      const sampled = i > 0 || opts.sampleAll === true;
      const res = await this.model.generate({
        ...this.inputs(p),
        max_new_tokens: opts.maxNewTokens,
        do_sample: sampled,
        // Qwen2-VL's generation_config sets top_p 0.001 and top_k 1: sampling must override both.
        ...(sampled ? { temperature: opts.temperature ?? 0.7, top_k: 50, top_p: 1 } : {}),
      });
      if (!(res instanceof Tensor)) throw new Error('generate returned no token tensor');
      const ids = (res.tolist()[0] as bigint[]).slice(p.promptLength).map(Number);
      const stopped = eos.has(ids.at(-1) ?? -1);
      if (stopped) ids.pop();
      out.push({
        text: this.tokenizer.decode(ids, { skip_special_tokens: true }),
        ids,
        finish: stopped || ids.length < opts.maxNewTokens ? 'stop' : 'length',
      });
    }
    return out;
  }

  async generate(p: Prepared, opts: GenerateOptions): Promise<string[]> {
    return (await this.generateTokens(p, opts)).map((g) => g.text);
  }

  /** Logits of the prompt followed by `ids`, teacher-forced in one forward pass. */
  private async teacherForce(p: Prepared, ids: readonly number[]): Promise<{ logits: Float32Array; vocab: number }> {
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
    return { logits: out.logits.data as Float32Array, vocab };
  }

  /** Token ids of a reply text (no special tokens added). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false });
  }

  /** Mean log-probability per token of `text` as the continuation of the prompt (teacher-forced). */
  async scoreContinuation(p: Prepared, text: string): Promise<number> {
    const ids = this.encode(text);
    if (ids.length === 0) return 0;
    const { logits, vocab } = await this.teacherForce(p, ids);
    let total = 0;
    ids.forEach((tok, j) => {
      total += logSoftmaxRow(logits, vocab, p.promptLength + j - 1)[tok] as number;
    });
    return total / ids.length;
  }

  /** Log-probability of each of `ids` after the prompt, with the `top` likeliest tokens at each place. */
  async tokenLogprobs(p: Prepared, ids: readonly number[], top: number): Promise<TokenLogprob[]> {
    if (ids.length === 0) return [];
    const { logits, vocab } = await this.teacherForce(p, ids);
    return ids.map((tok, j) => {
      const row = logSoftmaxRow(logits, vocab, p.promptLength + j - 1);
      return {
        token: this.tokenizer.decode([tok]),
        logprob: row[tok] as number,
        top: topK(row, top).map((t) => ({ token: this.tokenizer.decode([t]), logprob: row[t] as number })),
      };
    });
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

function gridProduct(g: readonly number[]): number {
  return g.reduce((a, b) => a * b, 1);
}

/** What identifies a model's vision features: folder, name, the encoder file's size and time, its dtype. */
function visionKey(dir: string, manifest: ModelManifest): string {
  const dtype = manifest.dtype.vision_encoder ?? 'fp32';
  const file = path.join(dir, 'onnx', `vision_encoder${DTYPE_SUFFIX[dtype]}.onnx`);
  const s = statSync(file, { throwIfNoEntry: false });
  return [path.resolve(dir), manifest.name, dtype, s?.size ?? 0, s?.mtimeMs ?? 0].join('\u0000');
}
