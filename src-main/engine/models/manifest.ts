import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PROFILES } from './profiles/index.js';

export const MANIFEST_FILE = 'tempo-model.json';

export const ModelFamily = z.enum(['qwen2_vl', 'qwen2_5_vl', 'qwen3_vl']);
export type ModelFamily = z.infer<typeof ModelFamily>;

export const SessionName = z.enum(['vision_encoder', 'embed_tokens', 'decoder_model_merged']);
export type SessionName = z.infer<typeof SessionName>;

export const Dtype = z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']);
export type Dtype = z.infer<typeof Dtype>;

/** File-name suffix of each dtype in a transformers.js model folder (onnx/NAME{suffix}.onnx). */
export const DTYPE_SUFFIX: Record<Dtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** What a model folder says about itself, in tempo-model.json. */
export const ModelManifest = z.object({
  name: z.string().regex(/^[a-zA-Z0-9][\w.-]{0,79}$/, 'letters, digits, . _ - (at most 80)'),
  family: ModelFamily,
  profile: z.string().refine((p) => p in PROFILES, { message: `one of ${Object.keys(PROFILES).join(', ')}` }),
  dtype: z.partialRecord(SessionName, Dtype).default({}),
  /** Visual tokens one call may spend, after the prompt and answer are set aside. */
  contextTokens: z.number().int().positive().default(8192),
  /** Where the weights came from: a checkpoint name, a fine-tune run, "random (test)". */
  source: z.string().min(1),
  description: z.string().optional(),
});
export type ModelManifest = z.infer<typeof ModelManifest>;

const REQUIRED_JSON = ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'];

/** The files a model folder must hold for its manifest, relative to the folder. */
export function requiredFiles(m: ModelManifest): string[] {
  const onnx = SessionName.options.map((s) => `onnx/${s}${DTYPE_SUFFIX[m.dtype[s] ?? 'fp32']}.onnx`);
  return [...REQUIRED_JSON, ...onnx];
}

export interface ModelCheck {
  dir: string;
  manifest: ModelManifest | null;
  /** Files present and well-formed (JSON parses, ONNX starts like a protobuf model). */
  complete: boolean;
  /** One line per problem; empty when complete. */
  problems: string[];
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error';
}

/** ONNX ModelProto files start with field 1 (ir_version, varint): byte 0x08. */
function looksLikeOnnx(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    fs.readSync(fd, b, 0, 2, 0);
    return b[0] === 0x08 && (b[1] ?? 0) > 0 && (b[1] ?? 0) < 0x80;
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads and checks a model folder without loading it: manifest, then every file it needs. */
export function checkModelDir(dir: string): ModelCheck {
  const problems: string[] = [];
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let manifest: ModelManifest | null = null;
  if (!fs.existsSync(manifestPath)) {
    return { dir, manifest, complete: false, problems: [`no ${MANIFEST_FILE}`] };
  }
  try {
    const parsed = ModelManifest.safeParse(JSON.parse(fs.readFileSync(manifestPath, 'utf8')));
    if (parsed.success) manifest = parsed.data;
    else {
      const issue = parsed.error.issues[0];
      problems.push(`${MANIFEST_FILE}: ${issue?.path.join('.') || 'manifest'}: ${issue?.message ?? 'invalid'}`);
    }
  } catch (err) {
    problems.push(`${MANIFEST_FILE} is not valid JSON: ${firstLine(err)}`);
  }
  if (!manifest) return { dir, manifest, complete: false, problems };
  for (const rel of requiredFiles(manifest)) {
    const file = path.join(dir, rel);
    if (!fs.existsSync(file)) {
      problems.push(`missing ${rel}`);
      continue;
    }
    if (fs.statSync(file).size === 0) {
      problems.push(`${rel} is empty`);
      continue;
    }
    if (rel.endsWith('.json')) {
      try {
        JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        problems.push(`${rel} is corrupt: ${firstLine(err)}`);
      }
    } else if (!looksLikeOnnx(file)) {
      problems.push(`${rel} is corrupt: not an ONNX model`);
    }
  }
  return { dir, manifest, complete: problems.length === 0, problems };
}
