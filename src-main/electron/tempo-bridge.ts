/**
 * The object the preload exposes as `window.tempo`, built from the Electron pieces it is
 * given so it is tested under plain Node. It unwraps the main process's IpcResult: a
 * failure becomes a rejection whose message is the operator's. No engine code here: the
 * preload bundles this file.
 */
import type { PickKind, TempoBridge } from '../../src-shared/bridge.js';
import { channels, type IpcResult } from './channels.js';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

async function unwrap(answer: Promise<unknown>): Promise<unknown> {
  const result = (await answer) as IpcResult;
  if (result.ok) return result.value;
  throw new Error(result.error);
}

/** Builds `window.tempo` (TempoBridge, src-shared/bridge.ts: one definition for the preload and the renderer). */
export function createTempoBridge(deps: {
  ipcRenderer: IpcRendererLike;
  getPathForFile: (file: File) => string;
  version: string;
}): TempoBridge {
  const { ipcRenderer, getPathForFile, version } = deps;
  return Object.freeze({
    version,
    call: (name: string, input: unknown) => unwrap(ipcRenderer.invoke(channels.call, name, input)),
    onEvent(listener: (event: unknown) => void) {
      const relay = (_event: unknown, payload?: unknown) => listener(payload);
      ipcRenderer.on(channels.event, relay);
      return () => void ipcRenderer.removeListener(channels.event, relay);
    },
    pathForFile: (file: File) => getPathForFile(file),
    pickPaths: async (kind: PickKind) => (await unwrap(ipcRenderer.invoke(channels.pickPaths, kind))) as string[],
  });
}
