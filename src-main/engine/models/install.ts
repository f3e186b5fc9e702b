import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { nowIso, type DB } from '../store/db.js';
import { checkModelDir, MANIFEST_FILE, ModelManifest, type ModelCheck } from './manifest.js';
import { listModels } from './registry.js';

/** Why a folder cannot be installed; one line. */
export class InstallError extends Error {
  override name = 'InstallError';
}

/** Temporary copies live beside the models as hidden folders, which the registry never lists. */
const TEMP_PREFIX = '.install-';

/** Removes copies left by an install that was killed half-way. */
function removeStaleCopies(root: string): void {
  if (!fs.existsSync(root)) return;
  for (const e of fs.readdirSync(root)) {
    if (e.startsWith(TEMP_PREFIX)) fs.rmSync(path.join(root, e), { recursive: true, force: true });
  }
}

/**
 * Installs a model folder (a fine-tune on a USB stick or a share) into <home>/models/<name>:
 * checks it (manifest and every file), copies it to a hidden temporary folder beside the
 * models, checks the copy, renames it into place (one atomic step) and records it in the
 * models table. An abort during the copy (Ctrl-C) removes the copy. `name` renames the model (its copied manifest says so). Throws InstallError
 * with the reason, leaving nothing behind, when the folder is not a complete model or the name
 * is taken.
 */
export async function installModel(
  home: string,
  db: DB,
  dir: string,
  name?: string,
  signal?: AbortSignal,
): Promise<ModelCheck> {
  const src = path.resolve(dir);
  if (!fs.existsSync(src) || !fs.statSync(src).isDirectory()) throw new InstallError(`${src} is not a folder`);
  const check = checkModelDir(src);
  if (!check.manifest || !check.complete) throw new InstallError(`${src}: ${check.problems.join('; ')}`);
  const wanted = name ?? check.manifest.name;
  const valid = ModelManifest.shape.name.safeParse(wanted);
  if (!valid.success) throw new InstallError(`model name '${wanted}': letters, digits, . _ - (at most 80)`);
  const root = path.join(home, 'models');
  const target = path.join(root, wanted);
  // Only <home>/models counts: a model also on a TEMPO_MODELS share may be installed (the installed copy wins).
  const clash = listModels(home, {}).find((m) => m.manifest?.name === wanted || m.dir === target);
  if (clash || fs.existsSync(target))
    throw new InstallError(`a model named '${wanted}' is already installed (${clash?.dir ?? target})`);
  fs.mkdirSync(root, { recursive: true });
  removeStaleCopies(root);
  const temp = path.join(root, `${TEMP_PREFIX}${wanted}-${randomBytes(4).toString('hex')}`);
  try {
    // Files behind symlinks (a Hugging Face snapshot folder) are copied, not linked to the stick.
    await fs.promises.cp(src, temp, { recursive: true, errorOnExist: true, force: false, dereference: true });
    if (signal?.aborted) throw new InstallError('cancelled');
    if (wanted !== check.manifest.name) {
      const raw = JSON.parse(fs.readFileSync(path.join(temp, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(path.join(temp, MANIFEST_FILE), JSON.stringify({ ...raw, name: wanted }, null, 2) + '\n');
    }
    const copied = checkModelDir(temp);
    if (!copied.manifest || !copied.complete)
      throw new InstallError(`the copy is incomplete: ${copied.problems.join('; ')}`);
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { recursive: true, force: true });
    if (err instanceof InstallError) throw err;
    throw new InstallError(`copying ${src} failed: ${(err as Error).message.split('\n')[0]}`);
  }
  const installed = checkModelDir(target);
  const m = installed.manifest as ModelManifest;
  db.prepare(
    `INSERT INTO models (name, dir, family, manifest, installed_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET dir = excluded.dir, family = excluded.family, manifest = excluded.manifest,
       installed_at = excluded.installed_at`,
  ).run(m.name, target, m.family, JSON.stringify(m), nowIso());
  return installed;
}
