/**
 * The main-process side of the IPC bridge: every contract call arrives on ONE channel,
 * is checked against the contract's zod schemas and run by the engine's handlers (the
 * same `handle` web mode's HTTP server uses), and answers an IpcResult envelope. Electron
 * comes in as parameters, so this runs and is tested under plain Node.
 */
import type { EngineEvent } from '../../src-shared/api.js';
import { toCallError } from '../engine/api/call-error.js';
import { handle } from '../engine/api/handlers.js';
import { UsageError } from '../engine/errors.js';
import type { Engine } from '../engine/engine.js';
import type { PickKind } from '../../src-shared/bridge.js';
import { channels, type IpcResult } from './channels.js';

/** The part of an invoke event the bridge reads (Electron's IpcMainInvokeEvent has it). */
export interface InvokeEventLike {
  readonly senderFrame?: { readonly url: string } | null;
}

/** The part of Electron's ipcMain the bridge uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcBridgeOptions {
  ipcMain: IpcMainLike;
  engine: Engine;
  /** The native open dialog (see dialogs.ts); without it, `pickPaths` answers no paths. */
  pickPaths?: (kind: PickKind) => Promise<string[]>;
  /** Whether an invoke comes from the app's own page; anything else is refused. Default: every sender. */
  isTrustedSender?: (event: InvokeEventLike) => boolean;
}

/** The envelope of a failure, as toCallError (engine/api/call-error.ts) reads it for every UI transport. */
export function failure(error: unknown): IpcResult {
  const { error: message, usage } = toCallError(error);
  return { ok: false, error: message, usage };
}

/** Runs one contract call and wraps its answer, never throwing. */
export async function runCall(engine: Engine, name: unknown, input: unknown): Promise<IpcResult> {
  try {
    if (typeof name !== 'string') throw new UsageError('the call name must be a string');
    return { ok: true, value: await handle(engine, name, input) };
  } catch (error) {
    return failure(error);
  }
}

const PICK_KINDS: readonly string[] = ['files', 'folder'] satisfies PickKind[];
const REFUSED: IpcResult = { ok: false, error: 'this window may not call the engine', usage: true };

/**
 * Registers the bridge's invoke channels on `ipcMain`. Returns `dispose`, which removes them.
 */
export function createIpcBridge(options: IpcBridgeOptions): { dispose(): void } {
  const { ipcMain, engine, pickPaths } = options;
  const trusted = options.isTrustedSender ?? (() => true);

  ipcMain.handle(channels.call, (event, name, input) => {
    if (!trusted(event)) return REFUSED;
    return runCall(engine, name, input);
  });

  ipcMain.handle(channels.pickPaths, async (event, kind) => {
    if (!trusted(event)) return REFUSED;
    if (typeof kind !== 'string' || !PICK_KINDS.includes(kind)) {
      return failure(new UsageError(`pickPaths: kind must be 'files' or 'folder'`));
    }
    try {
      return { ok: true, value: pickPaths ? await pickPaths(kind as PickKind) : [] } satisfies IpcResult;
    } catch (error) {
      return failure(error);
    }
  });

  return {
    dispose() {
      ipcMain.removeHandler(channels.call);
      ipcMain.removeHandler(channels.pickPaths);
    },
  };
}

/**
 * Sends every engine event (job, segment and library changes; the job worker's are
 * re-emitted on the engine) through `send`. Returns the function that stops it.
 */
export function forwardEngineEvents(engine: Engine, send: (channel: string, event: EngineEvent) => void): () => void {
  const listener = (event: EngineEvent) => send(channels.event, event);
  engine.events.on('event', listener);
  return () => engine.events.off('event', listener);
}
