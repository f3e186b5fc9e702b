import { createHash } from 'node:crypto';
import { Tensor } from '@huggingface/transformers';
import type { DynamicCache, Qwen2VLForConditionalGeneration } from '@huggingface/transformers';
import type { TimeEncoding } from '../families.js';
import type { PrefixStore } from './kv.js';
import { stepChunked } from './prefill.js';
import type { PromptInputs } from './prompt.js';
import { ropeTimePositions } from './rope-time.js';
import type { PreparedImage } from './vision.js';

/** Default of PromptReader.prefillChunk: measured by `npm run bench -- real-qwen2-vl` (README). */
const PREFILL_CHUNK = 512;

/** A prompt read by the model: its KV cache, the logits after it, its length and M-RoPE text offset. */
export interface PromptState {
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

/** What a model's config says about placing a prompt's tokens. */
export interface PromptLayout {
  /** How the family reads time (families.ts). */
  time: TimeEncoding;
  imageToken: number;
  /** The token that ends an image block: the prompt's prefix runs up to the last one. */
  visionEnd: number;
  mergeSize: number;
  tokensPerSecond: number;
  /** Identifies the model's vision features (vision.ts visionKey), part of a prefix's key. */
  modelKey: string;
}

/**
 * Reads prompts into the decoder. The part before the instruction (system text, time labels,
 * images) does not depend on the query, so its KV cache is kept in `prefixes` and a later
 * prompt over the same frames reads only its own instruction.
 */
export class PromptReader {
  /** Most tokens one decoder pass reads (prefill.ts): bounds the logits and activations a long prompt holds. */
  prefillChunk = PREFILL_CHUNK;

  constructor(
    private readonly model: Qwen2VLForConditionalGeneration,
    private readonly layout: PromptLayout,
    private readonly prefixes: PrefixStore,
  ) {}

  /** M-RoPE positions [3, 1, n] of a prompt and the delta of the text after it, by the family's rule. */
  positions(p: Prepared): [Tensor, number] {
    const { layout } = this;
    if (layout.time === 'rope-time' && p.times) {
      const times = p.times;
      const r = ropeTimePositions(
        p.input_ids.data as BigInt64Array,
        p.images.map((im, i) => ({ grid: im.grid, t: times[i] ?? 0 })),
        { imageToken: layout.imageToken, mergeSize: layout.mergeSize, tokensPerSecond: layout.tokensPerSecond },
      );
      const n = r.rows[0].length;
      return [new Tensor('int64', BigInt64Array.from(r.rows.flat().map(BigInt)), [3, 1, n]), r.delta];
    }
    const none = null as unknown as Tensor;
    const [positions, deltas] = this.model.get_rope_index(p.input_ids, p.image_grid_thw, none, p.attention_mask);
    return [positions, Number((deltas.data as BigInt64Array)[0] ?? 0n)];
  }

  /** The prompt read once: its KV cache (the prefix's taken from or added to `prefixes`) and the logits after it. */
  async read(p: Prepared): Promise<PromptState> {
    const [positions, ropeDelta] = this.positions(p);
    const ids = (p.input_ids.data as BigInt64Array).slice();
    const n = ids.length;
    const cut = ids.lastIndexOf(BigInt(this.layout.visionEnd)) + 1;
    const key = this.prefixKey(p, ids, cut);
    let prefix = cut > 0 ? await this.prefixes.get(key) : undefined;
    // Frames whose features were all cached before: a second look at them (prefix-disk.ts).
    const seenBefore = p.images.length > 0 && p.images.every((im) => im.features !== null);
    if (cut > 0 && !prefix) {
      const first = await stepChunked(
        this.model,
        {
          input_ids: p.input_ids.slice(null, [0, cut]),
          attention_mask: p.attention_mask.slice(null, [0, cut]),
          position_ids: positions.slice(null, null, [0, cut]),
          vision: { pixel_values: p.pixel_values, image_grid_thw: p.image_grid_thw },
          keep: 1,
        },
        this.prefillChunk,
      );
      prefix = first.cache;
      await this.prefixes.set(key, prefix, { seenBefore });
    }
    const rest = await stepChunked(
      this.model,
      {
        input_ids: p.input_ids.slice(null, [cut, n]),
        attention_mask: p.attention_mask,
        position_ids: positions.slice(null, null, [cut, n]),
        past: prefix,
        keep: 1,
      },
      this.prefillChunk,
    );
    return { cache: rest.cache, last: rest.rows[0] as Float32Array, length: n, ropeDelta };
  }

  /** What the first `cut` tokens of a prompt hold, by content: model, tokens, image parts and (rope-time) their times. */
  private prefixKey(p: Prepared, ids: BigInt64Array, cut: number): string {
    // Under rope-time the parts' times set their positions, so they are part of what the prefix is.
    const times =
      this.layout.time === 'rope-time' && p.times ? p.times.map((t, _, all) => t - (all[0] ?? 0)).join(',') : '';
    return createHash('sha256')
      .update(this.layout.modelKey)
      .update(new Uint8Array(ids.buffer, 0, cut * 8))
      .update(p.images.map((im) => im.key).join('\u0000'))
      .update(times)
      .digest('hex');
  }
}
