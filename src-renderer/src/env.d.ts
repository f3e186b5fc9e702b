/**
 * What the Electron preload exposes (src-main/electron/preload.ts); absent in web mode.
 * The call members are optional so the renderer runs against a preload that lacks them.
 */
interface TempoBridge {
  /** Version of the desktop app, from package.json. */
  readonly version: string;
  /** Calls the engine: resolves to the call's output, or rejects with an Error for the operator. */
  readonly call?: (name: string, input: unknown) => Promise<unknown>;
  /** Listens to engine events (EngineEvent); returns the unsubscribe function. */
  readonly onEvent?: (listener: (event: unknown) => void) => () => void;
  /** Path on this machine of a file dropped onto the window (Electron's webUtils.getPathForFile). */
  readonly pathForFile?: (file: File) => string;
  /** Paths chosen in the native open dialog (video files, or folders); none when cancelled. */
  readonly pickPaths?: (kind: 'files' | 'folder') => Promise<string[]>;
}

interface Window {
  /** Set by the Electron preload; `undefined` when the renderer is served by `tempo serve`. */
  readonly tempo?: TempoBridge;
}
