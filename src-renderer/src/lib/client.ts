/**
 * The renderer's one door to the engine. Two transports over the same contract: the
 * Electron preload's `window.tempo` bridge (bridgeClient, here), and web mode's HTTP +
 * server-sent events (http-client.ts, `tempo serve`); create-client.ts picks one for the
 * window. Every answer is checked against the contract's zod schema here, so the views can
 * trust what they get; every failure becomes an Error whose message is for the operator.
 */
import type { z } from 'zod';
import { calls, EngineEvent, type CallInput, type CallName, type CallOutput } from '../../../src-shared/api.js';
import type { TempoBridge } from '../../../src-shared/bridge.js';
import { MEDIA_SCHEME, mediaPath } from '../../../src-shared/media-url.js';

export interface Client {
  readonly mode: 'desktop' | 'web';
  /** Calls the engine; rejects with an Error whose message is for the operator. */
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>;
  /** Listens to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** Hears whether live updates flow (true) or are lost and being retried (false). */
  onConnection(listener: (connected: boolean) => void): () => void;
  /** URL of a media path (src-shared/media-url.ts): `recording/<id>`, `poster/<id>` or `thumb/<recordingId>/<seconds>`. */
  mediaUrl(path: string): string;
  /** The engine-side path of a dropped file; null where the transport cannot know it (web mode). */
  pathForFile(file: File): string | null;
}

/** What the operator reads when an answer breaks the contract. */
export function unreadable(name: CallName): string {
  return `The engine gave an answer to ${name} that this window cannot read.`;
}

/** Checks an answer against the call's output schema. */
export function checked<K extends CallName>(name: K, raw: unknown): CallOutput<K> {
  const schema = calls[name].output as unknown as z.ZodType<CallOutput<K>>;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(unreadable(name));
  return parsed.data;
}

/** Strips the prefix Electron's ipcRenderer.invoke puts before a handler's message. */
export function operatorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '');
}

/** The part of the preload's bridge the client needs; a preload without pathForFile still works. */
export type Bridge = Pick<TempoBridge, 'call' | 'onEvent'> & Partial<Pick<TempoBridge, 'pathForFile'>>;

/** Client over the Electron preload. */
export function bridgeClient(bridge: Bridge): Client {
  return {
    mode: 'desktop',
    async call(name, input) {
      let raw: unknown;
      try {
        raw = await bridge.call(name, input);
      } catch (error) {
        throw new Error(operatorMessage(error), { cause: error });
      }
      return checked(name, raw);
    },
    onEvent(listener) {
      return bridge.onEvent((raw) => {
        const event = EngineEvent.safeParse(raw);
        if (event.success) listener(event.data);
      });
    },
    onConnection() {
      return () => {};
    },
    mediaUrl: (path) => `${MEDIA_SCHEME}://${mediaPath(path)}`,
    pathForFile: (file) => bridge.pathForFile?.(file) || null,
  };
}
