import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { copyFiles, type CopyProgress } from './copy-files.js';
import { checkModelDir, MANIFEST_FILE, type ModelCheck } from './manifest.js';
import { InstallError } from './errors.js';
import { planInstall, type InstallOptions } from './published.js';
import { listModels } from './registry.js';

/** Temporary copies live beside the models as hidden folders, which the registry never lists. */
const TEMP_PREFIX = '.install-';

/** Removes copies left by an install that was killed half-way. */
function removeStaleCopies(root: string): void {
  if (!fs.existsSync(root)) return;
  for (const e of fs.readdirSync(root)) {
    if (e.startsWith(TEMP_PREFIX)) fs.rmSync(path.join(root, e), { recursive: true, force: true });
  }
}

export interface InstallRequest extends InstallOptions {
  signal?: AbortSignal;
  onProgress?: (p: CopyProgress) => void;
}

export interface Installed extends ModelCheck {
  /** What the install chose or changed, one line each (family, profile, dtype, config fixes). */
  notices: string[];
}

/**
 * Installs a model folder into <home>/models/<name>: a transformers.js ONNX export as it
 * comes from the hub (a snapshot folder with symlinks, or a plain copy) or a folder with a
 * tempo-model.json. Reads it (planInstall: family, profile, dtype per session, external
 * data), copies only the chosen dtype's graphs, their data files and the configs to a
 * hidden folder beside the models, writes the manifest (and a nested config.json for a
 * flat Qwen2.5-VL config) into the copy only, checks the copy and renames it into place
 * (one atomic step). Throws InstallError with one line, leaving nothing behind, when the
 * folder cannot be installed, the name is taken, or the copy is cancelled.
 */
export async function installModel(home: string, dir: string, req: InstallRequest = {}): Promise<Installed> {
  const src = path.resolve(dir);
  if (!fs.existsSync(src) || !fs.statSync(src).isDirectory()) throw new InstallError(`${src} is not a folder`);
  let plan;
  try {
    plan = planInstall(src, req);
  } catch (err) {
    if (err instanceof InstallError) throw new InstallError(`${src}: ${err.template}`);
    throw err;
  }
  const wanted = plan.manifest.name;
  const root = path.join(home, 'models');
  const target = path.join(root, wanted);
  // Only <home>/models counts: a model also on a TEMPO_MODELS share may be installed (the installed copy wins).
  const clash = listModels(home, {}).find((m) => m.manifest?.name === wanted || m.dir === target);
  if (clash || fs.existsSync(target))
    throw new InstallError(
      `a model named '${wanted}' is already installed (${clash?.dir ?? target}); choose another name`,
    );
  fs.mkdirSync(root, { recursive: true });
  removeStaleCopies(root);
  const temp = path.join(root, `${TEMP_PREFIX}${wanted}-${randomBytes(4).toString('hex')}`);
  try {
    await copyFiles(src, temp, plan.files, plan.bytes, req);
    if (plan.config) fs.writeFileSync(path.join(temp, 'config.json'), JSON.stringify(plan.config, null, 2) + '\n');
    fs.writeFileSync(path.join(temp, MANIFEST_FILE), JSON.stringify(plan.manifest, null, 2) + '\n');
    const copied = checkModelDir(temp);
    if (!copied.manifest || !copied.complete)
      throw new InstallError(`the copy is incomplete: ${copied.problems.join('; ')}`);
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { recursive: true, force: true });
    if (err instanceof InstallError) throw err;
    if ((err as Error).name === 'AbortError' || req.signal?.aborted) throw new InstallError('cancelled');
    throw new InstallError(`copying ${src} failed: ${(err as Error).message.split('\n')[0]}`);
  }
  const installed = checkModelDir(target);
  return { ...installed, notices: plan.notices };
}
