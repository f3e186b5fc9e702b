// The dimensions FLOPs and bytes are counted from, read from the model folder's config.json
// (Qwen2-VL's flat layout or Qwen3-VL's nested text_config) as the published checkpoints have them.
import fs from 'node:fs';
import path from 'node:path';
import type { ModelDims } from './flops.js';

type Json = Record<string, unknown>;

function num(o: Json, key: string): number {
  const v = o[key];
  if (typeof v !== 'number') throw new Error(`bench: config.json has no number ${key}`);
  return v;
}

export function dimsOf(dir: string): ModelDims {
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Json;
  const text = (config['text_config'] as Json | undefined) ?? config;
  const vision = config['vision_config'] as Json;
  // Qwen2-VL: embed_dim and mlp_ratio; Qwen3-VL: hidden_size and intermediate_size.
  const width = typeof vision['embed_dim'] === 'number' ? num(vision, 'embed_dim') : num(vision, 'hidden_size');
  const mlp =
    typeof vision['mlp_ratio'] === 'number' ? width * num(vision, 'mlp_ratio') : num(vision, 'intermediate_size');
  const patch = num(vision, 'patch_size');
  const heads = num(text, 'num_attention_heads');
  const hidden = num(text, 'hidden_size');
  return {
    vision: {
      depth: num(vision, 'depth'),
      width,
      mlp,
      patchDim: 3 * num(vision, 'temporal_patch_size') * patch * patch,
      mergeSize: num(vision, 'spatial_merge_size'),
    },
    text: {
      layers: num(text, 'num_hidden_layers'),
      hidden,
      intermediate: num(text, 'intermediate_size'),
      heads,
      kvHeads: num(text, 'num_key_value_heads'),
      headDim: typeof text['head_dim'] === 'number' ? num(text, 'head_dim') : hidden / heads,
      vocab: num(text, 'vocab_size'),
    },
  };
}
