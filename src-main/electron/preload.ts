/**
 * Preload of the sandboxed window: the renderer's only door into the app. It exposes
 * ONE namespaced object, `window.tempo`; the typed contract API joins it in a later issue.
 * Built as CommonJS (`out/preload/index.cjs`) because sandboxed preloads cannot be ESM.
 */
import { contextBridge } from 'electron';

/** The app version, injected from package.json at build time (electron.vite.config.ts). */
declare const __TEMPO_VERSION__: string;

/** Shape of `window.tempo`; `src-renderer/src/env.d.ts` declares the same for the renderer. */
interface TempoBridge {
  readonly version: string;
}

const tempo = Object.freeze({ version: __TEMPO_VERSION__ }) satisfies TempoBridge;

contextBridge.exposeInMainWorld('tempo', tempo);
