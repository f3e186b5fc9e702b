import type { CallInput, CallOutput } from '../../../src-shared/api.js';
import type { Engine } from '../engine.js';
import { checkDevice, DeviceError } from '../models/devices.js';
import { UsageError } from './errors.js';
import { resolveModelDir } from './models.js';

export function getSettings(engine: Engine): CallOutput<'settings.get'> {
  return { settings: engine.settings.get(), dataFolder: engine.paths.home };
}

/**
 * Changes settings: the device must be one available here and the model one installed and
 * complete; the server's token is kept in memory only.
 */
export function setSettings(engine: Engine, input: CallInput<'settings.set'>): CallOutput<'settings.set'> {
  const { serverToken, ...patch } = input;
  if (patch.device !== undefined) {
    try {
      checkDevice(patch.device);
    } catch (err) {
      if (err instanceof DeviceError) throw new UsageError(err.message);
      throw err;
    }
  }
  if (patch.model) resolveModelDir(engine, patch.model);
  const settings = engine.settings.set(patch);
  if (serverToken !== undefined && settings.serverUrl) engine.setServerToken(settings.serverUrl, serverToken);
  return { settings, dataFolder: engine.paths.home };
}
