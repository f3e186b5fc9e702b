import type { Engine } from '../engine.js';
import { availableDevices, type Device } from '../models/devices.js';
import { listModels } from '../models/registry.js';

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
