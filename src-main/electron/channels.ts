/**
 * The IPC channels between the preload and the main process, and what travels on them.
 * The preload imports this file too, so it holds names and types only: no engine code.
 */
import type { CallError } from '../../src-shared/api.js';

/** Every channel of the bridge, `tempo:verb`. */
export const channels = {
  /** invoke(name, input) -> IpcResult: one contract call, checked by the main process. */
  call: 'tempo:call',
  /** main -> renderer: one EngineEvent. */
  event: 'tempo:event',
  /** invoke(kind: PickKind, src-shared/bridge.ts) -> IpcResult of string[]: the native open dialog (empty when cancelled). */
  pickPaths: 'tempo:pick-paths',
} as const;

/**
 * The answer of an invoke. A failure is a value, not a thrown error, so its message
 * reaches the renderer as it was written (Electron would prefix a thrown one with
 * "Error invoking remote method ..."); the preload turns it back into a rejection.
 */
export type IpcResult = { ok: true; value: unknown } | ({ ok: false } & CallError);
