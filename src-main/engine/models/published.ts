import fs from 'node:fs';
import path from 'node:path';
import type { Device } from './devices.js';
import { FAMILIES } from './families.js';
import {
  checkGraphs,
  Dtype,
  graphPath,
  MANIFEST_FILE,
  MANIFEST_MAX_BYTES,
  ModelFamily,
  ModelManifest,
  SessionName,
} from './manifest.js';
import { PROFILES } from './profiles/index.js';

/**
 * A transformers.js ONNX export as it comes from the hub (or a USB stick), read without
 * loading it: family from config.json, dtype per session from the graphs present and the
 * device, the files an install copies. See README "Models".
 */

/** Why a folder cannot be installed; one line naming the file and what is wrong. */
export class InstallError extends Error {
  override name = 'InstallError';
}

export const REQUIRED_ROOT_FILES = [
  'config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

/** Root files an install keeps: configs, tokenizer, chat templates, the model card (weights in other formats stay behind). */
const ROOT_FILE = /\.(json|txt|jinja|model|md)$/i;

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

/**
 * Dtype preference per device, first present wins, per session. On cpu, 8-bit first
 * (onnxruntime's integer kernels: a quarter of fp32's memory, little accuracy lost), then
 * 4-bit, then fp32; half-precision forms last (no fast fp16 kernels on a CPU). On a GPU,
 * half precision first.
 */
export const DTYPE_ORDER: Readonly<Record<'cpu' | 'gpu', readonly Dtype[]>> = {
  cpu: ['q8', 'int8', 'uint8', 'q4', 'fp32', 'bnb4', 'fp16', 'q4f16', 'q2', 'q2f16', 'q1', 'q1f16'],
  gpu: ['q4f16', 'fp16', 'q4', 'fp32', 'q8', 'int8', 'uint8', 'bnb4', 'q2f16', 'q2', 'q1f16', 'q1'],
};

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
export const JSON_LIMITS: Readonly<Record<string, number>> = {
  [MANIFEST_FILE]: MANIFEST_MAX_BYTES,
  'tokenizer.json': 64 * 1024 ** 2,
  'tokenizer_config.json': 16 * 1024 ** 2,
};
const JSON_LIMIT = 4 * 1024 ** 2;

export function jsonLimit(rel: string): number {
  return JSON_LIMITS[rel] ?? JSON_LIMIT;
}

function readJson(dir: string, rel: string): unknown {
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

/** Which dtypes each session has graphs for, from the relative file paths of a folder or repo. */
export function presentDtypes(files: readonly string[]): Record<SessionName, Dtype[]> {
  const have = new Set(files.map((f) => f.split(path.sep).join('/')));
  return Object.fromEntries(
    SessionName.options.map((s) => [s, Dtype.options.filter((d) => have.has(graphPath(s, d)))]),
  ) as Record<SessionName, Dtype[]>;
}

/** The dtype of each session: `wanted` for all where given, else the device's first preference present. */
export function chooseDtypes(
  present: Record<SessionName, Dtype[]>,
  device: Device,
  wanted?: Dtype,
): Record<SessionName, Dtype> {
  const order = DTYPE_ORDER[device === 'cpu' ? 'cpu' : 'gpu'];
  const out = {} as Record<SessionName, Dtype>;
  for (const s of SessionName.options) {
    const have = present[s];
    if (have.length === 0) {
      throw new InstallError(
        s === 'vision_encoder'
          ? `onnx/: no ${s} graph (not a vision-language export: a text-only model?)`
          : `onnx/: no ${s} graph`,
      );
    }
    if (wanted && !have.includes(wanted))
      throw new InstallError(`missing ${graphPath(s, wanted)} for --dtype ${wanted} (present: ${have.join(', ')})`);
    out[s] = wanted ?? (order.find((d) => have.includes(d)) as Dtype);
  }
  return out;
}

/** External data files onnx writes beside a graph: `{graph}_data`, then `{graph}_data_1`... */
export function isDataFileOf(graph: string, file: string): boolean {
  return (
    file === `${graph}_data` || new RegExp(`^${graph.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_data_\\d+$`).test(file)
  );
}

/** The files of a repo (relative paths) that a model of these dtypes needs: root configs, graphs, their data. */
export function neededRepoFiles(files: readonly string[], dtypes: Record<SessionName, Dtype>): string[] {
  const graphs = SessionName.options.map((s) => graphPath(s, dtypes[s]));
  return files.filter(
    (f) =>
      (!f.includes('/') && ROOT_FILE.test(f) && f !== MANIFEST_FILE) ||
      graphs.includes(f) ||
      graphs.some((g) => isDataFileOf(g, f)),
  );
}

export interface InstallOptions {
  name?: string;
  dtype?: Dtype;
  profile?: string;
  /** The device the dtype rule picks for (default cpu). */
  device?: Device;
  /** Where the weights came from, for the manifest (default: the folder). */
  source?: string;
}

export interface InstallPlan {
  manifest: ModelManifest;
  /** Relative paths to copy. */
  files: string[];
  bytes: number;
  /** config.json to write instead of the original (a flat Qwen2.5-VL config nested). */
  config?: Record<string, unknown>;
  /** One line each, for the operator: what the install changed or chose. */
  notices: string[];
}

/**
 * Where a folder's links may lead: inside the folder, or, for a hub snapshot
 * (`models--org--name/snapshots/<commit>`), into the same repo's `blobs/` (what the hub
 * cache's relative links point at). Anything else (a link to ~/.ssh) is never followed.
 */
function allowedRoots(src: string): string[] {
  const real = fs.realpathSync(src);
  const roots = [real];
  if (path.basename(path.dirname(src)) === 'snapshots') roots.push(path.join(path.dirname(path.dirname(src)), 'blobs'));
  if (path.basename(path.dirname(real)) === 'snapshots')
    roots.push(path.join(path.dirname(path.dirname(real)), 'blobs'));
  return roots.map((r) => (fs.existsSync(r) ? fs.realpathSync(r) : r));
}

function within(roots: readonly string[], real: string): boolean {
  return roots.some((r) => real === r || real.startsWith(r + path.sep));
}

/** The regular files of the root and onnx/ (links followed only where allowedRoots says), and the links that lead out. */
function listFiles(src: string): { files: string[]; outside: string[] } {
  const roots = allowedRoots(src);
  const files: string[] = [];
  const outside: string[] = [];
  const visit = (rel: string) => {
    const abs = path.join(src, rel);
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st?.isFile()) return;
    if (within(roots, fs.realpathSync(abs))) files.push(rel);
    else outside.push(rel);
  };
  for (const f of fs.readdirSync(src)) visit(f);
  const onnxDir = path.join(src, 'onnx');
  if (fs.statSync(onnxDir, { throwIfNoEntry: false })?.isDirectory())
    for (const f of fs.readdirSync(onnxDir)) visit(`onnx/${f}`);
  return { files, outside };
}

/** A folder's own name, or the repo's for a hub snapshot (models--org--name/snapshots/<commit>). */
function defaultName(src: string): string {
  const base = path.basename(src);
  const parent = path.dirname(src);
  if (/^[0-9a-f]{40}$/.test(base) && path.basename(parent) === 'snapshots')
    return path.basename(path.dirname(parent)).split('--').at(-1) ?? base;
  return base;
}

function readManifest(src: string): ModelManifest | null {
  if (!fs.existsSync(path.join(src, MANIFEST_FILE))) return null;
  const parsed = ModelManifest.safeParse(readJson(src, MANIFEST_FILE));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InstallError(`${MANIFEST_FILE}: ${issue?.path.join('.') || 'manifest'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * What installing `src` means: its manifest (from tempo-model.json where the folder has
 * one, else from config.json and the graphs present), the files to copy and the notices.
 * Throws InstallError with the first problem found.
 */
export function planInstall(src: string, opts: InstallOptions = {}): InstallPlan {
  const { files, outside } = listFiles(src);
  const needed = (f: string) => REQUIRED_ROOT_FILES.includes(f) || f === MANIFEST_FILE || f.endsWith('.onnx');
  const escaping = outside.find(needed);
  if (escaping)
    throw new InstallError(
      `${escaping} is a link out of the model folder (${fs.realpathSync(path.join(src, escaping))})`,
    );
  const { family, config, flat } = readModelConfig(src);
  for (const rel of REQUIRED_ROOT_FILES.slice(1)) readJson(src, rel);
  const given = readManifest(src);
  if (given && given.family !== family)
    throw new InstallError(`${MANIFEST_FILE}: family ${given.family} but config.json says model_type '${family}'`);
  const present = presentDtypes(files);
  let dtype: Record<SessionName, Dtype>;
  if (given && !opts.dtype) {
    dtype = {} as Record<SessionName, Dtype>;
    for (const s of SessionName.options) {
      const want = given.dtype[s] ?? 'fp32';
      if (!present[s].includes(want) && present[s].length > 0) {
        throw new InstallError(
          `${MANIFEST_FILE}: ${s} is ${want} but ${graphPath(s, want)} is missing (present: ${present[s].join(', ')})`,
        );
      }
      dtype[s] = want;
    }
  } else dtype = chooseDtypes(present, opts.device ?? 'cpu', opts.dtype);
  const profile = opts.profile ?? given?.profile ?? FAMILIES[family].profile;
  if (!(profile in PROFILES))
    throw new InstallError(`unknown answer profile '${profile}' (known: ${Object.keys(PROFILES).join(', ')})`);
  const text = (flat ? config : (config['text_config'] as Record<string, unknown> | undefined)) ?? config;
  const maxPositions = Number(text['max_position_embeddings'] ?? config['max_position_embeddings'] ?? 16384);
  const manifestRaw = {
    name: opts.name ?? given?.name ?? defaultName(src),
    family,
    profile,
    dtype,
    contextTokens: given?.contextTokens ?? Math.max(256, Math.min(8192, Math.floor(maxPositions / 2))),
    source: opts.source ?? given?.source ?? `installed from ${src}`,
    ...(given?.description ? { description: given.description } : {}),
  };
  const manifest = ModelManifest.safeParse(manifestRaw);
  if (!manifest.success)
    throw new InstallError(
      `model name '${manifestRaw.name}': letters, digits, . _ - (at most 80); choose another name`,
    );
  const { problems, dataFiles } = checkGraphs(src, family, dtype);
  if (problems.length > 0) throw new InstallError(problems[0] as string);
  const graphs = SessionName.options.map((s) => graphPath(s, dtype[s]));
  const chosen = [
    ...files.filter((f) => !f.includes('/') && ROOT_FILE.test(f) && f !== MANIFEST_FILE),
    ...graphs,
    ...dataFiles,
  ];
  const roots = allowedRoots(src);
  for (const f of chosen) {
    const real = fs.realpathSync(path.join(src, f));
    if (!within(roots, real)) throw new InstallError(`${f} is a link out of the model folder (${real})`);
  }
  const bytes = chosen.reduce((a, f) => a + fs.statSync(path.join(src, f)).size, 0);
  const notices = [
    `${family}, answer profile ${profile}, dtype ${[...new Set(Object.values(dtype))].join('/')} ` +
      `(${opts.dtype ? '--dtype' : given ? MANIFEST_FILE : `the ${opts.device ?? 'cpu'} rule`}; ` +
      `present: ${[...new Set(Object.values(present).flat())].join(', ')})`,
  ];
  if (flat) notices.push(`config.json is flat (an older ${family} save): wrote text_config into the installed copy`);
  const skipped = outside.filter((f) => !f.includes('/') && ROOT_FILE.test(f));
  if (skipped.length > 0) notices.push(`left out links out of the folder: ${skipped.join(', ')}`);
  return {
    manifest: manifest.data,
    files: chosen,
    bytes,
    ...(flat ? { config: nestTextConfig(family, config) } : {}),
    notices,
  };
}
