import type { Device } from './devices.js';
import { LocalModel, type LoadOptions } from './local/model.js';
import type { ModelManifest } from './manifest.js';

/** Models stay loaded for the life of the process, one per folder, device and feature cache. */
const loaded = new Map<string, Promise<LocalModel>>();

export function loadModel(
  dir: string,
  manifest: ModelManifest,
  device: Device,
  opts: LoadOptions = {},
): Promise<LocalModel> {
  const key = `${dir}\u0000${device}\u0000${opts.cache?.root ?? ''}`;
  let p = loaded.get(key);
  if (!p) {
    p = LocalModel.load(dir, manifest, device, opts);
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  return p;
}

export async function disposeModels(): Promise<void> {
  const all = [...loaded.values()];
  loaded.clear();
  await Promise.allSettled(all.map(async (p) => (await p).dispose()));
}
