import type { CallInput, CallOutput } from '../../../src-shared/api.js';
import type { Engine } from '../engine.js';
import { checkDevice, DeviceError } from '../models/devices.js';
import { UsageError } from '../errors.js';
import { resolveModelDir } from './models.js';

export function getSettings(engine: Engine): CallOutput<'settings.get'> {
  return { settings: engine.settings.get(), dataFolder: engine.paths.home };
}

/** True for an http:// or https:// URL: the only model server addresses taken. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Changes settings: the device must be one available here and the model one installed and
 * complete. A new model server URL must be http(s) and confirmed (`confirmUrlChange: true`,
 * which the settings form sends only after the operator confirmed that URL): every frame a
 * query looks at goes there. The server's token is kept in memory only, for the model server
 * URL it is saved with, and is sent nowhere else.
 */
export function setSettings(engine: Engine, input: CallInput<'settings.set'>): CallOutput<'settings.set'> {
  const { serverToken, confirmUrlChange, ...patch } = input;
  if (patch.device !== undefined) {
    try {
      checkDevice(patch.device);
    } catch (err) {
      if (err instanceof DeviceError) throw new UsageError(err.message);
      throw err;
    }
  }
  if (patch.model) resolveModelDir(engine, patch.model);
  if (typeof patch.serverUrl === 'string') {
    if (!isHttpUrl(patch.serverUrl))
      throw new UsageError('the model server URL must be an http:// or https:// address');
    const current = engine.settings.get().serverUrl;
    if (patch.serverUrl !== current && confirmUrlChange !== true)
      throw new UsageError(
        `changing the model server URL to ${patch.serverUrl} needs the operator's confirmation (confirmUrlChange: true)`,
      );
  }
  const targetUrl = patch.serverUrl === undefined ? engine.settings.get().serverUrl : patch.serverUrl;
  if (serverToken !== undefined && !targetUrl)
    throw new UsageError('a model server token needs a model server URL to be kept for');
  const settings = engine.settings.set(patch);
  if (serverToken !== undefined && settings.serverUrl) engine.setServerToken(settings.serverUrl, serverToken);
  return { settings, dataFolder: engine.paths.home };
}
