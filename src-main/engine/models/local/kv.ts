import { DynamicCache, Tensor } from '@huggingface/transformers';
import type { Qwen2VLForConditionalGeneration } from '@huggingface/transformers';

/** The last rows of logits a forward pass gave, one Float32Array of `vocab` per kept position. */
export interface Stepped {
  rows: Float32Array[];
  cache: DynamicCache;
}

const BYTES: Record<string, number> = { float32: 4, float16: 2, int8: 1, uint8: 1 };

/** Bytes a cache holds (from its shapes, so GPU-resident tensors are not read back). */
export function cacheBytes(cache: DynamicCache): number {
  let total = 0;
  for (const t of Object.values(cache) as Tensor[]) {
    total += t.dims.reduce((a, b) => a * b, 1) * (BYTES[t.type] ?? 4);
  }
  return total;
}

/** Text positions after the images: the same index on the t, h and w rows of M-RoPE, shifted by the prompt's delta. */
export function textPositions(start: number, count: number, ropeDelta: number): Tensor {
  const row = Array.from({ length: count }, (_, i) => BigInt(start + i + ropeDelta));
  return new Tensor('int64', BigInt64Array.from([...row, ...row, ...row]), [3, 1, count]);
}

export function ones(n: number): Tensor {
  return new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
}

export function idsTensor(ids: readonly number[]): Tensor {
  return new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
}

/**
 * One forward pass of the decoder over `input_ids` after `past` (or from scratch), keeping
 * the logits of the last `keep` positions (the export's num_logits_to_keep where it has
 * one, so a long prompt does not return logits for every position).
 */
export async function step(
  model: Qwen2VLForConditionalGeneration,
  inputs: {
    input_ids: Tensor;
    attention_mask: Tensor;
    position_ids: Tensor;
    past?: DynamicCache;
    vision?: { pixel_values: Tensor; image_grid_thw: Tensor };
    keep: number;
  },
): Promise<Stepped> {
  const out = (await model.forward({
    input_ids: inputs.input_ids,
    attention_mask: inputs.attention_mask,
    position_ids: inputs.position_ids,
    ...(inputs.past ? { past_key_values: inputs.past } : {}),
    ...(inputs.vision ?? {}),
    num_logits_to_keep: new Tensor('int64', [BigInt(inputs.keep)], []),
  })) as Record<string, Tensor> & { logits: Tensor };
  return { rows: lastRows(out.logits, inputs.keep), cache: cacheOf(out) };
}

/** The logits of the last `keep` positions of a [1, seq, vocab] output, one row each. */
export function lastRows(logits: Tensor, keep: number): Float32Array[] {
  const [, seq = 0, vocab = 0] = logits.dims;
  const data = logits.data as Float32Array;
  const rows: Float32Array[] = [];
  for (let j = seq - keep; j < seq; j++) rows.push(data.slice(j * vocab, (j + 1) * vocab));
  return rows;
}

/** A forward pass's `present.N.key/value` outputs as the cache the next pass takes. */
export function cacheOf(out: Record<string, Tensor>): DynamicCache {
  const entries = Object.entries(out)
    .filter(([name]) => name.startsWith('present.'))
    .map(([name, t]) => [name.replace('present', 'past_key_values'), t] as const);
  return new DynamicCache(Object.fromEntries(entries));
}

/**
 * The cache repeated `n` times along the batch axis, so `n` answers can be drawn from one
 * prompt in one batch. Null when a tensor lives on the GPU (then answers go one by one).
 */
export function tileCache(cache: DynamicCache, n: number): DynamicCache | null {
  const tiled: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(cache) as [string, Tensor][]) {
    if (t.location === 'gpu-buffer' || t.dims[0] !== 1) return null;
    const src = t.data as Float32Array;
    const out = new (src.constructor as Float32ArrayConstructor)(src.length * n);
    for (let i = 0; i < n; i++) out.set(src, i * src.length);
    tiled[name] = new Tensor(t.type, out, [n, ...t.dims.slice(1)]);
  }
  return new DynamicCache(tiled);
}

/** One decoding step for a batch: one token per row, all at the same position; the next logits per row. */
export async function stepBatch(
  model: Qwen2VLForConditionalGeneration,
  tokens: readonly number[],
  past: DynamicCache,
  length: number,
  position: number,
): Promise<Stepped> {
  const n = tokens.length;
  const pos = BigInt64Array.from({ length: 3 * n }, () => BigInt(position));
  const out = (await model.forward({
    input_ids: new Tensor('int64', BigInt64Array.from(tokens.map(BigInt)), [n, 1]),
    attention_mask: new Tensor('int64', new BigInt64Array(n * length).fill(1n), [n, length]),
    position_ids: new Tensor('int64', pos, [3, n, 1]),
    past_key_values: past,
    num_logits_to_keep: new Tensor('int64', [1n], []),
  })) as Record<string, Tensor> & { logits: Tensor };
  const [, seq = 0, vocab = 0] = out.logits.dims;
  const data = out.logits.data as Float32Array;
  const rows = Array.from({ length: n }, (_, b) => data.slice((b * seq + seq - 1) * vocab, (b * seq + seq) * vocab));
  return { rows, cache: cacheOf(out) };
}

export function logSoftmax(row: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return row.map((v) => v - lse);
}

export function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

/** Indices of the k largest values, largest first. */
export function topK(row: Float32Array, k: number): number[] {
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

/** Samples a token from the top `k` logits at `temperature`. */
export function sampleToken(row: Float32Array, temperature: number, k: number, random = Math.random): number {
  const top = topK(row, k);
  const scaled = top.map((i) => (row[i] as number) / temperature);
  const max = Math.max(...scaled);
  const weights = scaled.map((v) => Math.exp(v - max));
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < top.length; i++) {
    r -= weights[i] as number;
    if (r <= 0) return top[i] as number;
  }
  return top.at(-1) as number;
}

/** Frees the GPU buffers of a cache no one will use again (CPU tensors are left to the GC). */
export async function release(
  cache: DynamicCache | undefined,
  keep: readonly (DynamicCache | undefined)[],
): Promise<void> {
  if (!cache || keep.includes(cache)) return;
  const kept = new Set(keep.flatMap((c) => (c ? (Object.values(c) as Tensor[]) : [])));
  await Promise.all(
    (Object.values(cache) as Tensor[])
      .filter((t) => !kept.has(t) && t.location === 'gpu-buffer')
      .map((t) => t.dispose()),
  );
}

/** Where prompt prefixes' KV caches are kept: in memory (PrefixCache) or on disk (prefix-disk.ts). */
export interface PrefixStore {
  hits: number;
  misses: number;
  get(key: string): Promise<DynamicCache | undefined> | DynamicCache | undefined;
  /** Keeps a prefix; `seenBefore`: its frames were read before (their features were cached). */
  set(key: string, cache: DynamicCache, opts?: { seenBefore: boolean }): Promise<boolean> | boolean;
  /** Whether a cache is one the store holds (its GPU buffers must not be freed). */
  has(cache: DynamicCache): boolean;
  clear(): Promise<void>;
}

/** Prompt prefixes' KV caches in memory, least recently used dropped first past `maxBytes`. */
export class PrefixCache implements PrefixStore {
  private readonly entries = new Map<string, { cache: DynamicCache; bytes: number }>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string): DynamicCache | undefined {
    const e = this.entries.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.cache;
  }

  /** Keeps a cache unless it alone is over the bound; returns whether it was kept. */
  set(key: string, cache: DynamicCache): boolean {
    const bytes = cacheBytes(cache);
    if (bytes > this.maxBytes) return false;
    this.entries.set(key, { cache, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
      void e.cache.dispose();
    }
    return true;
  }

  has(cache: DynamicCache): boolean {
    for (const e of this.entries.values()) if (e.cache === cache) return true;
    return false;
  }

  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    this.bytes = 0;
    await Promise.all(all.map((e) => e.cache.dispose()));
  }
}
