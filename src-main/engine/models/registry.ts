import fs from 'node:fs';
import path from 'node:path';
import { checkModelDir, MANIFEST_FILE, type ModelCheck } from './manifest.js';

/** Folders searched for installed models: <home>/models, then TEMPO_MODELS (path-list). */
function modelRoots(home: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env['TEMPO_MODELS'] ?? '').split(path.delimiter).filter(Boolean);
  return [path.join(home, 'models'), ...extra.map((p) => path.resolve(p))];
}

/** Every model folder (a folder holding tempo-model.json, or any sub-folder of a root) and its check. */
export function listModels(home: string, env: NodeJS.ProcessEnv = process.env): ModelCheck[] {
  const out: ModelCheck[] = [];
  for (const root of modelRoots(home, env)) {
    if (!fs.existsSync(root)) continue;
    if (fs.existsSync(path.join(root, MANIFEST_FILE))) {
      out.push(checkModelDir(root));
      continue;
    }
    for (const e of fs.readdirSync(root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory() && !e.name.startsWith('.')) out.push(checkModelDir(path.join(root, e.name)));
    }
  }
  return out;
}

export class ModelNotFoundError extends Error {
  override name = 'ModelNotFoundError';
}

/** Finds a model by manifest name among the installed ones, or takes a folder path as is. */
export function findModel(home: string, nameOrDir: string, env: NodeJS.ProcessEnv = process.env): ModelCheck {
  const looksLikePath = nameOrDir.includes('/') || nameOrDir.includes(path.sep) || nameOrDir.startsWith('.');
  if (looksLikePath || fs.existsSync(path.join(nameOrDir, MANIFEST_FILE))) {
    const dir = path.resolve(nameOrDir);
    if (!fs.existsSync(dir)) throw new ModelNotFoundError(`model folder ${dir} does not exist`);
    return checkModelDir(dir);
  }
  const models = listModels(home, env);
  const hit =
    models.find((m) => m.manifest?.name === nameOrDir) ?? models.find((m) => path.basename(m.dir) === nameOrDir);
  if (!hit) {
    const names = models.flatMap((m) => (m.manifest ? [m.manifest.name] : []));
    throw new ModelNotFoundError(
      `no model named '${nameOrDir}' (installed: ${names.length > 0 ? names.join(', ') : 'none'}; put model folders in ${modelRoots(home, env)[0]})`,
    );
  }
  return hit;
}
