import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { AutoProcessor, Tensor } from '@huggingface/transformers';
import type {
  DynamicCache,
  PreTrainedTokenizer,
  Processor,
  Qwen2VLForConditionalGeneration,
} from '@huggingface/transformers';
import type { DiskCache } from '../../cache/disk-cache.js';
import { FeatureCache, imageKey, type ImageFeatures } from '../../cache/features.js';
import { smartResize } from '../../saa/tokens.js';
import type { Device } from '../devices.js';
import { FAMILIES, type TimeEncoding } from '../families.js';
import { DTYPE_SUFFIX, SessionName, type ModelManifest } from '../manifest.js';
import { familyClass } from './family-class.js';
import {
  argmax,
  idsTensor,
  logSoftmax,
  ones,
  PrefixCache,
  release,
  sampleToken,
  step,
  stepBatch,
  tileCache,
  textPositions,
  topK,
} from './kv.js';
import { configureOffline } from './offline.js';
import {
  buildPrompt,
  gridTokens,
  imageParts,
  mergeSizeOf,
  type PromptFrame,
  type PromptInputs,
  type PromptMessage,
} from './prompt.js';
import { ropeTimePositions } from './rope-time.js';

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
  key: string;
  grid: number[];
  features: ImageFeatures | null;
}

/** A prompt read by the model: its KV cache, the logits after it, its length and M-RoPE text offset. */
interface PromptState {
  cache: DynamicCache;
  last: Float32Array;
  length: number;
  ropeDelta: number;
}

/** A prompt built once and asked several times (samples, then answer and refusal scoring). */
export type Prepared = PromptInputs & {
  promptLength: number;
  images: PreparedImage[];
  /** Seconds of each image part's first frame, where every part is a timed frame (rope-time places parts by them). */
  times: number[] | null;
  state?: Promise<PromptState>;
};

export interface LoadOptions {
  /** Where vision features are kept between calls and processes; none keeps them per prompt only. */
  cache?: DiskCache;
  /** Memory for the KV caches of prompt prefixes (frames and labels), kept for later queries; default 1 GiB. */
  prefixCacheBytes?: number;
}

/** Default bound of the in-memory prefix KV cache: 1 GiB, overridable with TEMPO_KV_CACHE_MB. */
export function prefixCacheBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env['TEMPO_KV_CACHE_MB']);
  return env['TEMPO_KV_CACHE_MB'] && Number.isFinite(mb) && mb >= 0 ? Math.round(mb * 1024 ** 2) : 1024 ** 3;
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
  private readonly eos: Set<number>;
  private readonly visionEnd: number;
  /** Fed to rows of a batch whose answer has ended (their outputs are ignored). */
  private readonly padToken: number;
  private readonly modelKey: string;
  /** KV caches of prompt prefixes (everything before the instruction), by content. */
  readonly prefixes: PrefixCache;
  /** Vision-encoder runs and the image parts they encoded (for tests and benches). */
  readonly encoderStats = { runs: 0, images: 0 };
  /** How this model's family reads time (families.ts). */
  readonly time: TimeEncoding;
  private readonly tokensPerSecond: number;
  private readonly imageToken: number;

  private constructor(
    readonly manifest: ModelManifest,
    readonly dir: string,
    readonly device: Device,
    private readonly processor: Processor,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: Qwen2VLForConditionalGeneration,
    readonly features: FeatureCache | null,
    prefixCacheBytes: number,
  ) {
    this.prefixes = new PrefixCache(prefixCacheBytes);
    this.modelKey = visionKey(dir, manifest);
    const gen = (model as unknown as { generation_config?: { eos_token_id?: number | number[] } }).generation_config;
    const config = model.config as unknown as { eos_token_id?: number | number[] };
    this.eos = new Set([gen?.eos_token_id ?? config.eos_token_id ?? []].flat().map(Number));
    const [visionEnd] = tokenizer.encode('<|vision_end|>', { add_special_tokens: false });
    this.visionEnd = visionEnd ?? -1;
    this.padToken = [...this.eos][0] ?? 0;
    this.time = FAMILIES[manifest.family].time;
    const cfg = model.config as unknown as { image_token_id?: number; vision_config?: { tokens_per_second?: number } };
    this.tokensPerSecond = cfg.vision_config?.tokens_per_second ?? 2;
    this.imageToken = cfg.image_token_id ?? -1;
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
    // Each family through its own transformers.js class (its own vision input name).
    const model = (await familyClass(manifest.family).from_pretrained(name, {
      device,
      dtype,
    })) as Qwen2VLForConditionalGeneration;
    const features = opts.cache ? new FeatureCache(opts.cache, visionKey(dir, manifest)) : null;
    const prefixBytes = opts.prefixCacheBytes ?? prefixCacheBytesFromEnv();
    return new LocalModel(manifest, dir, device, processor, tokenizer, model, features, prefixBytes);
  }

  /** Tokenizes the messages and readies the images, reusing cached features where there are some. */
  async prepare(messages: readonly PromptMessage[]): Promise<Prepared> {
    const parts = imageParts(messages);
    const firstTimes = parts.map((part) => (part[0] as Partial<PromptFrame> | undefined)?.t);
    const times = firstTimes.every((t) => typeof t === 'number') ? (firstTimes as number[]) : null;
    const images: PreparedImage[] = await Promise.all(
      parts.map(async (part) => {
        const key = imageKey(this.modelKey, part);
        const features = this.features ? await this.features.get(key) : null;
        return { key, grid: features?.grid ?? [], features };
      }),
    );
    const built = await buildPrompt(
      this.processor,
      this.tokenizer,
      messages,
      images.map((im) => (im.features ? im.grid : undefined)),
      { oneBlock: this.time === 'rope-time' && times !== null },
    );
    built.grids.forEach((g, i) => ((images[i] as PreparedImage).grid = g));
    const prepared: Prepared = {
      input_ids: built.input_ids,
      attention_mask: built.attention_mask,
      pixel_values: built.pixel_values,
      image_grid_thw: built.image_grid_thw,
      promptLength: built.input_ids.dims[1] ?? 0,
      images,
      times,
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
        if (this.features) await this.features.put(m.key, m.features);
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

  /**
   * The prompt read once: its KV cache and the logits after it. The part before the
   * instruction (system text, time labels, images) does not depend on the query, so its
   * KV cache is kept in memory and a later prompt over the same frames reads only its own
   * instruction.
   */
  private promptState(p: Prepared): Promise<PromptState> {
    p.state ??= this.readPrompt(p);
    return p.state;
  }

  /** M-RoPE positions [3, 1, n] of a prompt and the delta of the text after it, by the family's rule. */
  promptPositions(p: Prepared): [Tensor, number] {
    if (this.time === 'rope-time' && p.times) {
      const times = p.times;
      const r = ropeTimePositions(
        p.input_ids.data as BigInt64Array,
        p.images.map((im, i) => ({ grid: im.grid, t: times[i] ?? 0 })),
        { imageToken: this.imageToken, mergeSize: mergeSizeOf(this.processor), tokensPerSecond: this.tokensPerSecond },
      );
      const n = r.rows[0].length;
      return [new Tensor('int64', BigInt64Array.from(r.rows.flat().map(BigInt)), [3, 1, n]), r.delta];
    }
    const none = null as unknown as Tensor;
    const [positions, deltas] = this.model.get_rope_index(p.input_ids, p.image_grid_thw, none, p.attention_mask);
    return [positions, Number((deltas.data as BigInt64Array)[0] ?? 0n)];
  }

  private async readPrompt(p: Prepared): Promise<PromptState> {
    const [positions, ropeDelta] = this.promptPositions(p);
    const ids = (p.input_ids.data as BigInt64Array).slice();
    const n = ids.length;
    const cut = ids.lastIndexOf(BigInt(this.visionEnd)) + 1;
    // Under rope-time the parts' times set their positions, so they are part of what the prefix is.
    const times = this.time === 'rope-time' && p.times ? p.times.map((t, _, all) => t - (all[0] ?? 0)).join(',') : '';
    const key = createHash('sha256')
      .update(this.modelKey)
      .update(new Uint8Array(ids.buffer, 0, cut * 8))
      .update(p.images.map((im) => im.key).join('\u0000'))
      .update(times)
      .digest('hex');
    let prefix = cut > 0 ? this.prefixes.get(key) : undefined;
    if (cut > 0 && !prefix) {
      const first = await step(this.model, {
        input_ids: p.input_ids.slice(null, [0, cut]),
        attention_mask: p.attention_mask.slice(null, [0, cut]),
        position_ids: positions.slice(null, null, [0, cut]),
        vision: { pixel_values: p.pixel_values, image_grid_thw: p.image_grid_thw },
        keep: 1,
      });
      prefix = first.cache;
      this.prefixes.set(key, prefix);
    }
    const rest = await step(this.model, {
      input_ids: p.input_ids.slice(null, [cut, n]),
      attention_mask: p.attention_mask,
      position_ids: positions.slice(null, null, [cut, n]),
      past: prefix,
      keep: 1,
    });
    return { cache: rest.cache, last: rest.rows[0] as Float32Array, length: n, ropeDelta };
  }

  /** Logits after the prompt followed by `ids` (teacher-forced): row j predicts ids[j]. */
  private async continuation(p: Prepared, ids: readonly number[]): Promise<Float32Array[]> {
    const s = await this.promptState(p);
    if (ids.length <= 1) return [s.last];
    const out = await step(this.model, {
      input_ids: idsTensor(ids.slice(0, -1)),
      attention_mask: ones(s.length + ids.length - 1),
      position_ids: textPositions(s.length, ids.length - 1, s.ropeDelta),
      past: s.cache,
      keep: ids.length - 1,
    });
    await release(out.cache, []);
    return [s.last, ...out.rows];
  }

  /**
   * Draws answers to a prepared prompt, with their token ids; texts have special tokens
   * dropped. The prompt is read once; several answers are drawn together as one batch over
   * its KV cache (one decoder call per step for all of them) where the cache is in CPU
   * memory, else one after another.
   */
  async generateTokens(p: Prepared, opts: GenerateOptions): Promise<Generated[]> {
    const s = await this.promptState(p);
    const n = opts.samples;
    const past0 = n > 1 ? tileCache(s.cache, n) : null;
    if (!past0) {
      const out: Generated[] = [];
      for (let i = 0; i < n; i++)
        out.push(...(await this.drawBatch(s, [i > 0 || opts.sampleAll === true], s.cache, opts)));
      return out;
    }
    return this.drawBatch(
      s,
      Array.from({ length: n }, (_, i) => i > 0 || opts.sampleAll === true),
      past0,
      opts,
    );
  }

  /** Decodes one answer per row of `past` (greedy or sampled per row) until each stops or hits the cap. */
  private async drawBatch(
    s: PromptState,
    sampled: readonly boolean[],
    past0: DynamicCache,
    opts: GenerateOptions,
  ): Promise<Generated[]> {
    const ids: number[][] = sampled.map(() => []);
    const stopped = sampled.map(() => false);
    let rows: Float32Array[] = sampled.map(() => s.last);
    let past = past0;
    for (let t = 0; t < opts.maxNewTokens; t++) {
      if (opts.signal?.aborted) throw new Error('cancelled');
      const next = rows.map((row, b) => {
        if (stopped[b]) return this.padToken;
        const tok = sampled[b] ? sampleToken(row, opts.temperature ?? 0.7, 50) : argmax(row);
        if (this.eos.has(tok)) stopped[b] = true;
        else (ids[b] as number[]).push(tok);
        return stopped[b] ? this.padToken : tok;
      });
      if (stopped.every(Boolean) || t === opts.maxNewTokens - 1) break;
      const r = await stepBatch(this.model, next, past, s.length + t + 1, s.length + t + s.ropeDelta);
      await release(past, [s.cache, past0]);
      past = r.cache;
      rows = r.rows;
    }
    await release(past, [s.cache, past0]);
    if (past0 !== s.cache) await release(past0, [s.cache]);
    return ids.map((tokens, b) => ({
      text: this.tokenizer.decode(tokens, { skip_special_tokens: true }),
      ids: tokens,
      finish: stopped[b] || tokens.length < opts.maxNewTokens ? 'stop' : 'length',
    }));
  }

  async generate(p: Prepared, opts: GenerateOptions): Promise<string[]> {
    return (await this.generateTokens(p, opts)).map((g) => g.text);
  }

  /**
   * Visual tokens this model's image processor gives a frame of this size: resized within
   * its min_pixels/max_pixels to multiples of patch_size * merge_size, one token per merged
   * patch (a pair of frames costs the same as one).
   */
  visualTokens(width: number, height: number): number {
    const c = (this.processor.image_processor?.config ?? {}) as {
      min_pixels?: number;
      max_pixels?: number;
      size?: { shortest_edge?: number; longest_edge?: number };
      patch_size?: number;
    };
    // As transformers.js's Qwen2VLImageProcessor reads its bounds.
    const minPixels = c.min_pixels ?? c.size?.shortest_edge;
    const maxPixels = c.max_pixels ?? c.size?.longest_edge;
    const patch = c.patch_size ?? 14;
    const merge = mergeSizeOf(this.processor);
    const s = smartResize(height, width, {
      factor: patch * merge,
      ...(minPixels ? { minPixels } : {}),
      ...(maxPixels ? { maxPixels } : {}),
    });
    return gridTokens([1, s.height / patch, s.width / patch], merge);
  }

  /** The text of token ids, special tokens kept (what the model reads). */
  decodeTokens(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: false });
  }

  /** Token ids of a reply text (no special tokens added). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false });
  }

  /** Mean log-probability per token of `text` as the continuation of the prompt (teacher-forced). */
  async scoreContinuation(p: Prepared, text: string): Promise<number> {
    const ids = this.encode(text);
    if (ids.length === 0) return 0;
    const rows = await this.continuation(p, ids);
    let total = 0;
    ids.forEach((tok, j) => {
      total += logSoftmax(rows[j] as Float32Array)[tok] as number;
    });
    return total / ids.length;
  }

  /** Log-probability of each of `ids` after the prompt, with the `top` likeliest tokens at each place. */
  async tokenLogprobs(p: Prepared, ids: readonly number[], top: number): Promise<TokenLogprob[]> {
    if (ids.length === 0) return [];
    const rows = await this.continuation(p, ids);
    return ids.map((tok, j) => {
      const row = logSoftmax(rows[j] as Float32Array);
      return {
        token: this.tokenizer.decode([tok]),
        logprob: row[tok] as number,
        top: topK(row, top).map((t) => ({ token: this.tokenizer.decode([t]), logprob: row[t] as number })),
      };
    });
  }

  /** Drops the prompt's KV cache (GPU buffers included) once no more answers or scores will be asked of it. */
  async done(p: Prepared): Promise<void> {
    if (!p.state) return;
    const s = await p.state;
    p.state = undefined;
    if (!this.prefixes.has(s.cache)) await release(s.cache, []);
  }

  async dispose(): Promise<void> {
    await this.prefixes.clear();
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
