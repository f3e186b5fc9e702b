/**
 * The window as the renderer sees it. `window.tempo` is the Electron preload's bridge
 * (src-shared/bridge.ts); its members are optional here so the renderer still runs against a
 * preload that lacks some of them.
 */
interface Window {
  /** Set by the Electron preload; `undefined` when the renderer is served by `tempo serve`. */
  readonly tempo?: Partial<import('../../src-shared/bridge.js').TempoBridge>;
}
