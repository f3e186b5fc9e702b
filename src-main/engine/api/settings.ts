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

/** The server URLs of settings: the server, then its pool's, each once. */
export function settingsServers(s: { serverUrl: string | null; poolUrls: readonly string[] }): string[] {
  return s.serverUrl ? [...new Set([s.serverUrl, ...s.poolUrls])] : [];
}

/** Checks new model server URLs: http(s), and any not in use yet confirmed by the operator. */
function checkServerUrls(engine: Engine, urls: readonly string[], confirmed: boolean): void {
  const bad = urls.find((u) => !isHttpUrl(u));
  if (bad) throw new UsageError(`the model server URL ${bad} must be an http:// or https:// address`);
  const current = new Set(settingsServers(engine.settings.get()));
  const fresh = urls.filter((u) => !current.has(u));
  if (fresh.length > 0 && !confirmed)
    throw new UsageError(
      `changing the model server URL to ${fresh.join(', ')} needs the operator's confirmation (confirmUrlChange: true)`,
    );
}

/** The candidate model of two-stage settings: installed and complete, one line naming it when not. */
function checkCandidateModel(engine: Engine, name: string): void {
  try {
    resolveModelDir(engine, name);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`{candidates}: ${err.template}`);
    throw err;
  }
}

/**
 * Changes settings: the device must be one available here and the model one installed and
 * complete, as must be the candidate model of two stages, which also needs a refining backend
 * (the model server, or a model chosen by name). A new model server URL (the server's or one
 * of its pool's) must be http(s) and confirmed (`confirmUrlChange: true`, which the settings
 * form sends only after the operator confirmed those URLs): every frame a query looks at goes
 * there. The server's token is kept in memory only, for the model server URLs it is saved
 * with, and is sent nowhere else.
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
  if (patch.candidateModel) checkCandidateModel(engine, patch.candidateModel);
  const now = engine.settings.get();
  const next = {
    serverUrl: patch.serverUrl === undefined ? now.serverUrl : patch.serverUrl,
    poolUrls: patch.poolUrls ?? now.poolUrls,
  };
  const model = patch.model === undefined ? now.model : patch.model;
  const candidateModel = patch.candidateModel === undefined ? now.candidateModel : patch.candidateModel;
  if (candidateModel && !next.serverUrl && !model)
    throw new UsageError('two stages need a refining backend: a model server URL, or a model chosen by name');
  if (typeof patch.serverUrl === 'string' && !isHttpUrl(patch.serverUrl))
    throw new UsageError('the model server URL must be an http:// or https:// address');
  if (patch.poolUrls && patch.poolUrls.length > 0 && !next.serverUrl)
    throw new UsageError('a pool of model servers needs a model server URL first');
  checkServerUrls(engine, settingsServers(next), confirmUrlChange === true);
  if (serverToken !== undefined && !next.serverUrl)
    throw new UsageError('a model server token needs a model server URL to be kept for');
  const settings = engine.settings.set(patch);
  if (serverToken !== undefined) for (const url of settingsServers(settings)) engine.setServerToken(url, serverToken);
  return { settings, dataFolder: engine.paths.home };
}
