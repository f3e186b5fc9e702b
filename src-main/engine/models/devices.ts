import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where inference runs. Chosen explicitly; never 'auto'. */
export const DEVICES = ['cpu', 'webgpu', 'cuda', 'dml'] as const;
export type Device = (typeof DEVICES)[number];

interface BackendInfo {
  name: string;
  bundled: boolean;
}

const require = createRequire(import.meta.url);

/** CUDA's provider library comes from an opt-in download next to the binding; it is not bundled. */
function cudaInstalled(): boolean {
  try {
    const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const bin = path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
    return fs.existsSync(path.join(bin, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/**
 * The devices onnxruntime-node can run on here: its execution providers that are bundled
 * (cpu, webgpu, dml) or whose libraries were installed (cuda).
 */
export function availableDevices(
  backends: () => BackendInfo[] = () =>
    (require('onnxruntime-node') as { listSupportedBackends(): BackendInfo[] }).listSupportedBackends(),
  hasCuda: () => boolean = cudaInstalled,
): Device[] {
  const listed = backends();
  return DEVICES.filter((d) => {
    const b = listed.find((x) => x.name === d);
    if (!b) return false;
    return b.bundled || (d === 'cuda' && hasCuda());
  });
}

export class DeviceError extends Error {
  override name = 'DeviceError';
}

/** Checks a device name against what is available, with a one-line error naming the alternatives. */
export function checkDevice(device: string, available: readonly Device[] = availableDevices()): Device {
  if (!(DEVICES as readonly string[]).includes(device)) {
    throw new DeviceError(`unknown device '${device}': use one of ${DEVICES.join(', ')}`);
  }
  if (!available.includes(device as Device)) {
    throw new DeviceError(`device '${device}' is not available here; available: ${available.join(', ')}`);
  }
  return device as Device;
}
