import fs from 'node:fs';
import path from 'node:path';
import type { Device } from './devices.js';
import { chooseDtypes, isKeptRootFile, presentDtypes } from './dtypes.js';
import { InstallError } from './errors.js';
import { FAMILIES, type ModelFamily } from './families.js';
import { defaultName, folderFiles, linkOut } from './folder-files.js';
import { checkGraphs, graphPath, MANIFEST_FILE, ModelManifest, SessionName, type Dtype } from './manifest.js';
import { nestTextConfig, readJson, readModelConfig, REQUIRED_ROOT_FILES, type ModelConfig } from './model-config.js';
import { PROFILES } from './profiles/index.js';

/**
 * What installing a transformers.js ONNX export as it comes from the hub (or a USB stick)
 * means, read without loading it: family from config.json, dtype per session from the
 * graphs present and the device, the files an install copies. See README "Models".
 */

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

type Dtypes = Record<SessionName, Dtype>;

function readManifest(src: string): ModelManifest | null {
  if (!fs.existsSync(path.join(src, MANIFEST_FILE))) return null;
  const parsed = ModelManifest.safeParse(readJson(src, MANIFEST_FILE));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InstallError(`${MANIFEST_FILE}: ${issue?.path.join('.') || 'manifest'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** The dtypes a folder's own manifest names, each checked against the graphs present. */
function manifestDtypes(given: ModelManifest, present: Record<SessionName, Dtype[]>): Dtypes {
  const dtype = {} as Dtypes;
  for (const s of SessionName.options) {
    const want = given.dtype[s] ?? 'fp32';
    if (!present[s].includes(want) && present[s].length > 0) {
      throw new InstallError(
        `${MANIFEST_FILE}: ${s} is ${want} but ${graphPath(s, want)} is missing (present: ${present[s].join(', ')})`,
      );
    }
    dtype[s] = want;
  }
  return dtype;
}

/** The manifest the install writes: the options first, then the folder's own manifest, then config.json. */
function plannedManifest(
  src: string,
  opts: InstallOptions,
  given: ModelManifest | null,
  { family, config, flat }: ModelConfig,
  dtype: Dtypes,
): ModelManifest {
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
  return manifest.data;
}

/** The files to copy: the kept root files, the chosen graphs and their data, none of them a link out. */
function chosenFiles(src: string, files: readonly string[], family: ModelFamily, dtype: Dtypes): string[] {
  const { problems, dataFiles } = checkGraphs(src, family, dtype);
  if (problems.length > 0) throw new InstallError(problems[0] as string);
  const graphs = SessionName.options.map((s) => graphPath(s, dtype[s]));
  const chosen = [...files.filter(isKeptRootFile), ...graphs, ...dataFiles];
  const out = linkOut(src, chosen);
  if (out) throw new InstallError(`${out.file} is a link out of the model folder (${out.real})`);
  return chosen;
}

/**
 * What installing `src` means: its manifest (from tempo-model.json where the folder has
 * one, else from config.json and the graphs present), the files to copy and the notices.
 * Throws InstallError with the first problem found.
 */
export function planInstall(src: string, opts: InstallOptions = {}): InstallPlan {
  const { files, outside } = folderFiles(src);
  const needed = (f: string) => REQUIRED_ROOT_FILES.includes(f) || f === MANIFEST_FILE || f.endsWith('.onnx');
  const escaping = outside.find(needed);
  if (escaping)
    throw new InstallError(
      `${escaping} is a link out of the model folder (${fs.realpathSync(path.join(src, escaping))})`,
    );
  const read = readModelConfig(src);
  const { family, config, flat } = read;
  for (const rel of REQUIRED_ROOT_FILES.slice(1)) readJson(src, rel);
  const given = readManifest(src);
  if (given && given.family !== family)
    throw new InstallError(`${MANIFEST_FILE}: family ${given.family} but config.json says model_type '${family}'`);
  const present = presentDtypes(files);
  const dtype =
    given && !opts.dtype ? manifestDtypes(given, present) : chooseDtypes(present, opts.device ?? 'cpu', opts.dtype);
  const manifest = plannedManifest(src, opts, given, read, dtype);
  const chosen = chosenFiles(src, files, family, dtype);
  const bytes = chosen.reduce((a, f) => a + fs.statSync(path.join(src, f)).size, 0);
  const notices = [
    `${family}, answer profile ${manifest.profile}, dtype ${[...new Set(Object.values(dtype))].join('/')} ` +
      `(${opts.dtype ? '--dtype' : given ? MANIFEST_FILE : `the ${opts.device ?? 'cpu'} rule`}; ` +
      `present: ${[...new Set(Object.values(present).flat())].join(', ')})`,
  ];
  if (flat) notices.push(`config.json is flat (an older ${family} save): wrote text_config into the installed copy`);
  const skipped = outside.filter(isKeptRootFile);
  if (skipped.length > 0) notices.push(`left out links out of the folder: ${skipped.join(', ')}`);
  return {
    manifest,
    files: chosen,
    bytes,
    ...(flat ? { config: nestTextConfig(family, config) } : {}),
    notices,
  };
}
