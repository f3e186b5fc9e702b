/** What the Electron preload exposes (src-main/electron/preload.ts); absent in web mode. */
interface TempoBridge {
  /** Version of the desktop app, from package.json. */
  readonly version: string;
}

interface Window {
  /** Set by the Electron preload; `undefined` when the renderer is served by `tempo serve`. */
  readonly tempo?: TempoBridge;
}
