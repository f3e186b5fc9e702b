import type { DynamicCache, PreTrainedTokenizer, Qwen2VLForConditionalGeneration } from '@huggingface/transformers';
import { argmax, idsTensor, ones, release, sampleToken, step, stepBatch, textPositions } from './kv.js';
import type { PromptState } from './prompt-state.js';

/** Decoding after a read prompt: answers drawn token by token, and teacher-forced continuations. */

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

/** The model and tokenizer answers are decoded with, and the tokens that end an answer. */
export interface Decoder {
  model: Qwen2VLForConditionalGeneration;
  tokenizer: PreTrainedTokenizer;
  eos: Set<number>;
  /** Fed to rows of a batch whose answer has ended (their outputs are ignored). */
  padToken: number;
}

/** Decodes one answer per row of `past0` (greedy or sampled per row) until each stops or hits the cap. */
export async function drawBatch(
  d: Decoder,
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
      if (stopped[b]) return d.padToken;
      const tok = sampled[b] ? sampleToken(row, opts.temperature ?? 0.7, 50) : argmax(row);
      if (d.eos.has(tok)) stopped[b] = true;
      else (ids[b] as number[]).push(tok);
      return stopped[b] ? d.padToken : tok;
    });
    if (stopped.every(Boolean) || t === opts.maxNewTokens - 1) break;
    const r = await stepBatch(d.model, next, past, s.length + t + 1, s.length + t + s.ropeDelta);
    await release(past, [s.cache, past0]);
    past = r.cache;
    rows = r.rows;
  }
  await release(past, [s.cache, past0]);
  if (past0 !== s.cache) await release(past0, [s.cache]);
  return ids.map((tokens, b) => ({
    text: d.tokenizer.decode(tokens, { skip_special_tokens: true }),
    ids: tokens,
    finish: stopped[b] || tokens.length < opts.maxNewTokens ? 'stop' : 'length',
  }));
}

/** Logits after the prompt followed by `ids` (teacher-forced): row j predicts ids[j]. */
export async function continuation(
  model: Qwen2VLForConditionalGeneration,
  s: PromptState,
  ids: readonly number[],
): Promise<Float32Array[]> {
  if (ids.length <= 1) return [s.last];
  const out = await step(model, {
    input_ids: idsTensor(ids.slice(0, -1)),
    attention_mask: ones(s.length + ids.length - 1),
    position_ids: textPositions(s.length, ids.length - 1, s.ropeDelta),
    past: s.cache,
    keep: ids.length - 1,
  });
  await release(out.cache, []);
  return [s.last, ...out.rows];
}
