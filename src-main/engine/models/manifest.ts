import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ModelDtype } from '../../../src-shared/api.js';
import { FAMILIES, ModelFamily } from './families.js';
import { externalDataProblems, OnnxReadError, readOnnxGraph } from './onnx-graph.js';
import { PROFILES } from './profiles/index.js';

export const MANIFEST_FILE = 'tempo-model.json';
/** A manifest is a few hundred bytes; anything past this is refused unread. */
export const MANIFEST_MAX_BYTES = 64 * 1024;

/** Also from here, where a manifest's family is read (the enum lives in families.ts). */

export const SessionName = z.enum(['vision_encoder', 'embed_tokens', 'decoder_model_merged']);
export type SessionName = z.infer<typeof SessionName>;

/** Every dtype transformers.js knows a file suffix for (the contract's list). */
export const Dtype = ModelDtype;
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
  q2: '_q2',
  q2f16: '_q2f16',
  q1: '_q1',
  q1f16: '_q1f16',
};

/** A session's graph in a model folder, relative to it. */
export function graphPath(session: SessionName, dtype: Dtype): string {
  return `onnx/${session}${DTYPE_SUFFIX[dtype]}.onnx`;
}

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
  const onnx = SessionName.options.map((s) => graphPath(s, m.dtype[s] ?? 'fp32'));
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

/** ONNX files start with field 1 (ir_version, varint): byte 0x08. */
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

/**
 * Problems with the three graphs a manifest names, one line each: missing, not ONNX,
 * external data missing or short, a vision encoder without the family's grid input.
 * Returns the data files the graphs use (relative paths).
 */
export function checkGraphs(dir: string, family: ModelFamily, dtype: Partial<Record<SessionName, Dtype>>) {
  const problems: string[] = [];
  const dataFiles: string[] = [];
  for (const s of SessionName.options) {
    const rel = graphPath(s, dtype[s] ?? 'fp32');
    const file = path.join(dir, rel);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st) {
      problems.push(`missing ${rel}`);
      continue;
    }
    if (st.size === 0 || !looksLikeOnnx(file)) {
      problems.push(`${rel} is corrupt: not an ONNX model`);
      continue;
    }
    let info;
    try {
      info = readOnnxGraph(file);
    } catch (err) {
      if (!(err instanceof OnnxReadError)) throw err;
      problems.push(`${rel} is corrupt: ${err.message}`);
      continue;
    }
    problems.push(...externalDataProblems(file, info, rel));
    for (const e of info.external) {
      const data = path.posix.join('onnx', e.location);
      if (!dataFiles.includes(data)) dataFiles.push(data);
    }
    const grid = FAMILIES[family].gridInput;
    if (s === 'vision_encoder' && !info.inputs.includes(grid))
      problems.push(`${rel}: no '${grid}' input, which ${family} needs (inputs: ${info.inputs.join(', ')})`);
  }
  return { problems, dataFiles };
}

/** Reads and checks a model folder without loading it: manifest, then every file it needs. */
export function checkModelDir(dir: string): ModelCheck {
  const problems: string[] = [];
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let manifest: ModelManifest | null = null;
  if (!fs.existsSync(manifestPath)) {
    return { dir, manifest, complete: false, problems: [`no ${MANIFEST_FILE}`] };
  }
  const manifestBytes = fs.statSync(manifestPath).size;
  if (manifestBytes > MANIFEST_MAX_BYTES)
    return { dir, manifest, complete: false, problems: [`${MANIFEST_FILE} is too large: ${manifestBytes} bytes`] };
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
  for (const rel of REQUIRED_JSON) {
    const file = path.join(dir, rel);
    if (!fs.existsSync(file)) {
      problems.push(`missing ${rel}`);
      continue;
    }
    if (fs.statSync(file).size === 0) {
      problems.push(`${rel} is empty`);
      continue;
    }
    try {
      const value = JSON.parse(fs.readFileSync(file, 'utf8')) as { model_type?: unknown };
      if (rel === 'config.json' && value.model_type !== manifest.family)
        problems.push(
          `config.json: model_type '${String(value.model_type)}' but ${MANIFEST_FILE} says ${manifest.family}`,
        );
    } catch (err) {
      problems.push(`${rel} is corrupt: ${firstLine(err)}`);
    }
  }
  problems.push(...checkGraphs(dir, manifest.family, manifest.dtype).problems);
  return { dir, manifest, complete: problems.length === 0, problems };
}
