import { Tensor } from '@huggingface/transformers';
import type { DynamicCache, Qwen2VLForConditionalGeneration } from '@huggingface/transformers';
import { cacheOf, lastRows, release, step, type Stepped } from './kv.js';

/**
 * A long prompt read in chunks: the published decoders return logits for every position they
 * are given (no num_logits_to_keep input), [tokens, 151,936] floats for a 2B model, so one
 * pass over a 2,000-token window holds gigabytes for rows no one reads. The embeddings (text,
 * image features merged in) are made once, then the decoder reads them `chunk` tokens at a
 * time over the growing KV cache: the same cache and last logits, a bounded peak.
 */

type StepInputs = Parameters<typeof step>[1];

interface Embedder {
  encode_text(inputs: { input_ids: Tensor }): Promise<Tensor>;
  encode_image(inputs: { pixel_values: Tensor; image_grid_thw: Tensor }): Promise<Tensor>;
  _merge_input_ids_with_image_features(kwargs: {
    image_features: Tensor;
    inputs_embeds: Tensor;
    input_ids: Tensor;
    attention_mask: Tensor;
  }): { inputs_embeds: Tensor };
}

/** The prompt's input embeddings, image features in place of the image tokens (as the model's forward makes them). */
async function embeddings(model: Qwen2VLForConditionalGeneration, inputs: StepInputs): Promise<Tensor> {
  const m = model as unknown as Embedder;
  const text = await m.encode_text({ input_ids: inputs.input_ids });
  if (!inputs.vision) return text;
  const features = await m.encode_image(inputs.vision);
  return m._merge_input_ids_with_image_features({
    image_features: features,
    inputs_embeds: text,
    input_ids: inputs.input_ids,
    attention_mask: inputs.attention_mask,
  }).inputs_embeds;
}

/** step() over a prompt of any length, at most `chunk` tokens per decoder pass. */
export async function stepChunked(
  model: Qwen2VLForConditionalGeneration,
  inputs: StepInputs,
  chunk: number,
): Promise<Stepped> {
  const seq = inputs.input_ids.dims[1] ?? 0;
  if (seq <= chunk) return step(model, inputs);
  const embeds = await embeddings(model, inputs);
  const pastLength = (inputs.attention_mask.dims[1] ?? 0) - seq;
  const rows: Float32Array[] = [];
  let past = inputs.past;
  for (let s = 0; s < seq; s += chunk) {
    const e = Math.min(seq, s + chunk);
    // Rows wanted from this chunk: those of the last `keep` positions of the prompt.
    const keep = Math.max(0, Math.min(e - s, e - (seq - inputs.keep)));
    const out = (await model.forward({
      inputs_embeds: embeds.slice(null, [s, e], null),
      attention_mask: inputs.attention_mask.slice(null, [0, pastLength + e]),
      position_ids: inputs.position_ids.slice(null, null, [s, e]),
      ...(past ? { past_key_values: past } : {}),
      num_logits_to_keep: new Tensor('int64', [BigInt(Math.max(1, keep))], []),
    })) as Record<string, Tensor> & { logits: Tensor };
    rows.push(...lastRows(out.logits, keep));
    const next = cacheOf(out);
    if (past !== inputs.past) await release(past, [inputs.past]);
    past = next;
  }
  return { rows, cache: past as DynamicCache };
}
