/**
 * What the Electron preload exposes as `window.tempo` (src-main/electron/tempo-bridge.ts builds
 * it); absent in web mode. One definition for the preload and the renderer.
 */

/** What the native open dialog picks: video files, or folders (imported recursively). */
export type PickKind = 'files' | 'folder';

export interface TempoBridge {
  /** Version of the desktop app, from package.json. */
  readonly version: string;
  /** Calls the engine: resolves to the call's output, or rejects with an Error for the operator. */
  call(name: string, input: unknown): Promise<unknown>;
  /** Listens to engine events (EngineEvent); returns the unsubscribe function. */
  onEvent(listener: (event: unknown) => void): () => void;
  /** Path on this machine of a file dropped onto the window (Electron's webUtils.getPathForFile). */
  pathForFile(file: File): string;
  /** Paths chosen in the native open dialog (video files, or folders); none when cancelled. */
  pickPaths(kind: PickKind): Promise<string[]>;
}
