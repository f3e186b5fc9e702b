/**
 * Preload of the sandboxed window: the renderer's only door into the app. It exposes
 * ONE namespaced object, `window.tempo` (see tempo-bridge.ts), over the typed contract.
 * Built as CommonJS (`out/preload/index.cjs`) because sandboxed preloads cannot be ESM;
 * it bundles no engine code.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createTempoBridge } from './tempo-bridge.js';

/** The app version, injected from package.json at build time (electron.vite.config.ts). */
declare const __TEMPO_VERSION__: string;

contextBridge.exposeInMainWorld(
  'tempo',
  createTempoBridge({
    ipcRenderer,
    getPathForFile: (file) => webUtils.getPathForFile(file),
    version: __TEMPO_VERSION__,
  }),
);
