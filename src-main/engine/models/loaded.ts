import type { Device } from './devices.js';
import { LocalModel } from './local/model.js';
import type { ModelManifest } from './manifest.js';

/** Models stay loaded for the life of the process, one per folder and device. */
const loaded = new Map<string, Promise<LocalModel>>();

export function loadModel(dir: string, manifest: ModelManifest, device: Device): Promise<LocalModel> {
  const key = `${dir}\u0000${device}`;
  let p = loaded.get(key);
  if (!p) {
    p = LocalModel.load(dir, manifest, device);
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
