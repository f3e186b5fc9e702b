import path from 'node:path';
import { AutoProcessor, type Tensor } from '@huggingface/transformers';
import type { PreTrainedTokenizer, Processor, Qwen2VLForConditionalGeneration } from '@huggingface/transformers';
import { kvCacheBytesFromEnv, type DiskCache } from '../../cache/disk-cache.js';
import { FeatureCache, imageKey } from '../../cache/features.js';
import type { Device } from '../devices.js';
import { FAMILIES, type TimeEncoding } from '../families.js';
import { SessionName, type ModelManifest } from '../manifest.js';
import { continuation, drawBatch, type Decoder, type Generated, type GenerateOptions } from './decode.js';
import { familyClass } from './family-class.js';
import { applyFrameBounds } from './frame-bounds.js';
import { logSoftmax, PrefixCache, release, tileCache, topK, type PrefixStore } from './kv.js';
import { DiskPrefixCache } from './prefix-disk.js';
import { emptyComputeStats, timedEncode, timedForward } from './compute-stats.js';
import { configureOffline } from './offline.js';
import { buildPrompt, imageParts, mergeSizeOf, type PromptFrame, type PromptMessage } from './prompt.js';
import { PromptReader, type Prepared, type PromptState } from './prompt-state.js';
import { imageFeatures, visionKey, visualTokensOf, type EncodeImage, type PreparedImage } from './vision.js';

export interface TokenLogprob {
  token: string;
  logprob: number;
  top: { token: string; logprob: number }[];
}

export interface LoadOptions {
  /** Where vision features are kept between calls and processes; none keeps them per prompt only. */
  cache?: DiskCache;
  /**
   * onnxruntime's CPU memory arena (default on): kept buffers are reused between runs but never
   * given back, and a 2B model's peaks (logits of a prompt chunk, attention of a vision run)
   * stay resident after them.
   */
  cpuMemArena?: boolean;
  /**
   * Where the KV caches of prompt prefixes (frames and labels) are kept for later queries: on
   * disk in this bounded cache, so memory does not grow with the windows read; none: in memory.
   */
  prefixCache?: DiskCache;
  /** Memory for prefix KV caches kept in memory (without prefixCache, or on the GPU); default 1 GiB. */
  prefixCacheBytes?: number;
}

/** Default of LocalModel.visionRunPatches: measured by `npm run bench -- real-qwen2-vl` (README). */
const VISION_RUN_PATCHES = 1024;

/** The tokens a model's generation config (else its config) ends an answer with. */
function eosTokens(model: Qwen2VLForConditionalGeneration): Set<number> {
  const gen = (model as unknown as { generation_config?: { eos_token_id?: number | number[] } }).generation_config;
  const config = model.config as unknown as { eos_token_id?: number | number[] };
  return new Set([gen?.eos_token_id ?? config.eos_token_id ?? []].flat().map(Number));
}

/**
 * A Qwen2-VL-family model loaded from its folder through transformers.js on one device,
 * offline. Images always go with the text (text-only prompts hit a position bug in
 * transformers.js 4.3.1's text-only rope index). Vision features are computed once per
 * image part: kept on the prepared prompt for its samples and scores, and in the feature
 * cache (when given) for later prompts, so the vision encoder sees each frame once.
 */
export class LocalModel {
  private readonly pending = new WeakMap<Tensor, Prepared>();
  private readonly decoder: Decoder;
  private readonly reader: PromptReader;
  private readonly modelKey: string;
  /** KV caches of prompt prefixes (everything before the instruction), by content. */
  readonly prefixes: PrefixStore;
  /** Vision-encoder runs and the image parts they encoded (for tests and benches). */
  readonly encoderStats = { runs: 0, images: 0 };
  /** Where compute time goes: vision, prefill, decode (for benches and cost estimates). */
  readonly compute = emptyComputeStats();
  /** How this model's family reads time (families.ts). */
  readonly time: TimeEncoding;
  /**
   * Most patches one vision-encoder run takes: the image parts of a prompt go in runs of at
   * most this many (the encoder's attention grows with the square of a run's patches).
   */
  visionRunPatches = VISION_RUN_PATCHES;

  private constructor(
    readonly manifest: ModelManifest,
    readonly dir: string,
    readonly device: Device,
    private readonly processor: Processor,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: Qwen2VLForConditionalGeneration,
    readonly features: FeatureCache | null,
    prefixes: PrefixStore,
  ) {
    this.prefixes = prefixes;
    this.modelKey = visionKey(dir, manifest, processor);
    const eos = eosTokens(model);
    this.decoder = { model, tokenizer, eos, padToken: [...eos][0] ?? 0 };
    const [visionEnd] = tokenizer.encode('<|vision_end|>', { add_special_tokens: false });
    this.time = FAMILIES[manifest.family].time;
    const cfg = model.config as unknown as { image_token_id?: number; vision_config?: { tokens_per_second?: number } };
    const layout = {
      time: this.time,
      imageToken: cfg.image_token_id ?? -1,
      visionEnd: visionEnd ?? -1,
      mergeSize: mergeSizeOf(processor),
      tokensPerSecond: cfg.vision_config?.tokens_per_second ?? 2,
      modelKey: this.modelKey,
    };
    this.reader = new PromptReader(model, layout, this.prefixes);
    const original = timedEncode(model.encode_image.bind(model) as EncodeImage, this.compute);
    const forward = timedForward(
      model.forward.bind(model) as (i: Record<string, unknown>) => Promise<unknown>,
      this.compute,
    );
    (model as unknown as { forward: typeof forward }).forward = forward;
    (model as unknown as { encode_image: EncodeImage }).encode_image = async (inputs) => {
      const p = this.pending.get(inputs.pixel_values);
      if (!p) return original(inputs);
      const opts = {
        mergeSize: mergeSizeOf(this.processor),
        cache: this.features,
        stats: this.encoderStats,
        maxPatches: this.visionRunPatches,
      };
      return imageFeatures(p.images, p.pixel_values, original, opts);
    };
  }

  /** Loads a checked model folder on a checked device. */
  static async load(dir: string, manifest: ModelManifest, device: Device, opts: LoadOptions = {}): Promise<LocalModel> {
    configureOffline(path.dirname(dir));
    const name = path.basename(dir);
    const processor = await AutoProcessor.from_pretrained(name);
    // Frames are video frames: the family's video bounds, not its picture minimum (frame-bounds.ts).
    applyFrameBounds(processor, dir, manifest.family);
    const tokenizer = processor.tokenizer;
    if (!tokenizer) throw new Error(`${dir}: no tokenizer (tokenizer_config.json)`);
    const dtype = Object.fromEntries(SessionName.options.map((s) => [s, manifest.dtype[s] ?? 'fp32']));
    // Each family through its own transformers.js class (its own vision input name).
    const model = (await familyClass(manifest.family).from_pretrained(name, {
      device,
      dtype,
      ...(opts.cpuMemArena === undefined ? {} : { session_options: { enableCpuMemArena: opts.cpuMemArena } }),
    })) as Qwen2VLForConditionalGeneration;
    const features = opts.cache ? new FeatureCache(opts.cache, visionKey(dir, manifest, processor)) : null;
    const prefixBytes = opts.prefixCacheBytes ?? kvCacheBytesFromEnv();
    const prefixes = opts.prefixCache
      ? new DiskPrefixCache(opts.prefixCache, prefixBytes)
      : new PrefixCache(prefixBytes);
    return new LocalModel(manifest, dir, device, processor, tokenizer, model, features, prefixes);
  }

  /** Most tokens one decoder pass reads when a prompt is read (bounds its logits and activations). */
  get prefillChunk(): number {
    return this.reader.prefillChunk;
  }

  set prefillChunk(tokens: number) {
    this.reader.prefillChunk = tokens;
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

  /**
   * The prompt read once: its KV cache and the logits after it. The part before the
   * instruction (system text, time labels, images) does not depend on the query, so its
   * KV cache is kept in memory and a later prompt over the same frames reads only its own
   * instruction.
   */
  private promptState(p: Prepared): Promise<PromptState> {
    p.state ??= this.reader.read(p);
    return p.state;
  }

  /** M-RoPE positions [3, 1, n] of a prompt and the delta of the text after it, by the family's rule. */
  promptPositions(p: Prepared): [Tensor, number] {
    return this.reader.positions(p);
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
        out.push(...(await drawBatch(this.decoder, s, [i > 0 || opts.sampleAll === true], s.cache, opts)));
      return out;
    }
    return drawBatch(
      this.decoder,
      s,
      Array.from({ length: n }, (_, i) => i > 0 || opts.sampleAll === true),
      past0,
      opts,
    );
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
    return visualTokensOf(this.processor, width, height);
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
    const rows = await continuation(this.model, await this.promptState(p), ids);
    let total = 0;
    ids.forEach((tok, j) => {
      total += logSoftmax(rows[j] as Float32Array)[tok] as number;
    });
    return total / ids.length;
  }

  /** Log-probability of each of `ids` after the prompt, with the `top` likeliest tokens at each place. */
  async tokenLogprobs(p: Prepared, ids: readonly number[], top: number): Promise<TokenLogprob[]> {
    if (ids.length === 0) return [];
    const rows = await continuation(this.model, await this.promptState(p), ids);
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
