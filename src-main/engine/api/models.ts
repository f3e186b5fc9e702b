import type { Engine } from '../engine.js';
import { availableDevices, type Device } from '../models/devices.js';
import { findModel, listModels, ModelNotFoundError } from '../models/registry.js';
import { UsageError } from '../errors.js';

export interface ModelListing {
  name: string | null;
  dir: string;
  family: string | null;
  profile: string | null;
  source: string | null;
  complete: boolean;
  problems: string[];
}

/** Installed models with whether their files are complete, and the devices available here. */
export function listInstalledModels(engine: Engine): { models: ModelListing[]; devices: Device[] } {
  const models = listModels(engine.paths.home).map((m) => ({
    name: m.manifest?.name ?? null,
    dir: m.dir,
    family: m.manifest?.family ?? null,
    profile: m.manifest?.profile ?? null,
    source: m.manifest?.source ?? null,
    complete: m.complete,
    problems: m.problems,
  }));
  return { models, devices: availableDevices() };
}

/** The folder of a complete model by name or path; with no name, the only complete one installed. */
export function resolveModelDir(engine: Engine, name: string | undefined): string {
  try {
    if (name === undefined) {
      const complete = listModels(engine.paths.home).filter((m) => m.complete);
      if (complete.length === 0)
        throw new UsageError(`no model installed: put one in ${engine.paths.home}/models or pass {model DIR}`);
      if (complete.length > 1) {
        throw new UsageError(
          `several models installed (${complete.map((m) => m.manifest?.name).join(', ')}): pick one with {model}`,
        );
      }
      return (complete[0] as { dir: string }).dir;
    }
    const m = findModel(engine.paths.home, name);
    if (!m.complete)
      throw new UsageError(`model ${m.manifest?.name ?? m.dir} cannot be used: ${m.problems.join('; ')}`);
    return m.dir;
  } catch (err) {
    if (err instanceof ModelNotFoundError) throw new UsageError(err.message);
    throw err;
  }
}
