import fs from 'node:fs';
import path from 'node:path';
import { FAMILIES, ModelFamily } from './families.js';
import { InstallError } from './errors.js';
import { MANIFEST_FILE, MANIFEST_MAX_BYTES } from './manifest.js';

/**
 * The JSON files of a transformers.js ONNX export as it comes from the hub (or a USB stick),
 * read without loading the model: the family from config.json, and the checks that every
 * JSON file an install needs is there, small enough and well-formed.
 */

export const REQUIRED_ROOT_FILES = [
  'config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

/** Text fields that a nested `text_config` holds (Qwen2.5-VL as saved by transformers >= 4.5x). */
const TEXT_KEYS = [
  'vocab_size',
  'hidden_size',
  'intermediate_size',
  'num_hidden_layers',
  'num_attention_heads',
  'num_key_value_heads',
  'head_dim',
  'hidden_act',
  'max_position_embeddings',
  'max_window_layers',
  'rms_norm_eps',
  'rope_theta',
  'rope_scaling',
  'sliding_window',
  'use_sliding_window',
  'tie_word_embeddings',
  'torch_dtype',
  'use_cache',
  'attention_dropout',
  'initializer_range',
  'bos_token_id',
  'eos_token_id',
];

export interface ModelConfig {
  family: ModelFamily;
  config: Record<string, unknown>;
  /** The text fields sit at the top level where the family's loader wants them nested. */
  flat: boolean;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error';
}

/**
 * The most bytes a JSON file of a model folder may hold (a real tokenizer.json is ~7-11 MB,
 * a config a few KB): a larger one is refused before it is read, not parsed into memory.
 */
const JSON_LIMITS: Readonly<Record<string, number>> = {
  [MANIFEST_FILE]: MANIFEST_MAX_BYTES,
  'tokenizer.json': 64 * 1024 ** 2,
  'tokenizer_config.json': 16 * 1024 ** 2,
};
const JSON_LIMIT = 4 * 1024 ** 2;

function jsonLimit(rel: string): number {
  return JSON_LIMITS[rel] ?? JSON_LIMIT;
}

/** A JSON file of a model folder, parsed; throws InstallError when it is missing, empty, too large or not JSON. */
export function readJson(dir: string, rel: string): unknown {
  const file = path.join(dir, rel);
  if (!fs.existsSync(file)) throw new InstallError(`${rel}: missing`);
  const size = fs.statSync(file).size;
  if (size === 0) throw new InstallError(`${rel} is empty`);
  if (size > jsonLimit(rel))
    throw new InstallError(`${rel} is too large: ${size} bytes (at most ${jsonLimit(rel)} for this file)`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new InstallError(`${rel} is not JSON: ${firstLine(err)}`);
  }
}

/** The family of a model folder, from config.json `model_type`, and whether its text fields need nesting. */
export function readModelConfig(dir: string): ModelConfig {
  const raw = readJson(dir, 'config.json');
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InstallError('config.json is not a JSON object');
  const config = raw as Record<string, unknown>;
  const type = config['model_type'];
  if (typeof type !== 'string') throw new InstallError('config.json has no model_type');
  const family = ModelFamily.safeParse(type);
  if (!family.success) {
    throw new InstallError(
      `config.json: model_type '${type}' is not a Qwen2-VL-family video-language model (${ModelFamily.options.join(', ')})`,
    );
  }
  if (!config['vision_config'] || typeof config['vision_config'] !== 'object')
    throw new InstallError(`config.json: ${type} without vision_config`);
  const nested = config['text_config'] && typeof config['text_config'] === 'object';
  const info = FAMILIES[family.data];
  if (info.nestedText && !nested && typeof config['num_hidden_layers'] !== 'number')
    throw new InstallError(`config.json: ${type} has neither text_config nor num_hidden_layers`);
  return { family: family.data, config, flat: info.nestedText && !nested };
}

/** A flat config with the nested `text_config` the family's loader reads (the flat fields stay too). */
export function nestTextConfig(family: ModelFamily, config: Record<string, unknown>): Record<string, unknown> {
  const text: Record<string, unknown> = { model_type: `${family}_text` };
  for (const k of TEXT_KEYS) if (k in config) text[k] = config[k];
  return { ...config, text_config: text };
}
