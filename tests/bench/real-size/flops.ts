// Work a Qwen-VL model of given dimensions does, counted from its shapes: FLOPs of the vision
// encoder per image and of a decoder prefill, bytes a decode step reads. Only matrix products
// and attention are counted (norms, activations and rotary are a few percent).

export interface ModelDims {
  vision: { depth: number; width: number; mlp: number; patchDim: number; mergeSize: number };
  text: {
    layers: number;
    hidden: number;
    intermediate: number;
    heads: number;
    kvHeads: number;
    headDim: number;
    vocab: number;
  };
}

/** Bytes per weight of each dtype: q4 is 4 bits plus one fp32 scale per 32 weights. */
export const BYTES_PER_WEIGHT: Record<string, number> = { fp32: 4, fp16: 2, q8: 1, q4: 0.5 + 4 / 32 };

/** FLOPs of the vision encoder over one image of `patches` patches (attention within the image). */
export function visionFlops(d: ModelDims, patches: number): number {
  const { depth, width: w, mlp, patchDim, mergeSize } = d.vision;
  const embed = 2 * patches * patchDim * w;
  const block =
    2 * patches * w * (3 * w) + 2 * patches * w * w + 2 * 2 * patches * patches * w + 2 * 2 * patches * w * mlp;
  const merged = patches / (mergeSize * mergeSize);
  const wide = w * mergeSize * mergeSize;
  const merger = 2 * merged * wide * wide + 2 * merged * wide * d.text.hidden;
  return embed + depth * block + merger;
}

/** Weights of one decoder layer's matrix products. */
export function layerWeights(d: ModelDims): number {
  const { hidden: h, intermediate: i, heads, kvHeads, headDim } = d.text;
  return h * heads * headDim * 2 + h * kvHeads * headDim * 2 + 3 * h * i;
}

/** FLOPs of reading a prompt of `tokens` after `past` cached ones, logits for the last token only. */
export function prefillFlops(d: ModelDims, tokens: number, past = 0): number {
  const { layers, heads, headDim, hidden, vocab } = d.text;
  const linear = 2 * tokens * layers * layerWeights(d);
  // Query i attends to past + i + 1 keys: scores and the weighted sum.
  const attended = tokens * past + (tokens * (tokens + 1)) / 2;
  const attention = layers * 2 * 2 * heads * headDim * attended;
  return linear + attention + 2 * hidden * vocab;
}

/** Bytes one decode step reads: every decoder weight and the KV cache of `context` tokens per row. */
export function decodeBytes(d: ModelDims, dtype: string, context: number, batch = 1): number {
  const { layers, hidden, vocab, kvHeads, headDim } = d.text;
  const weights = (layers * layerWeights(d) + hidden * vocab) * (BYTES_PER_WEIGHT[dtype] ?? 4);
  const kv = batch * layers * 2 * kvHeads * headDim * context * 4;
  return weights + kv;
}
