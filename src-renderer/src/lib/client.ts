/**
 * The renderer's one door to the engine. Two transports over the same contract: the
 * Electron preload's `window.tempo` bridge, and web mode's HTTP + server-sent events
 * (`tempo serve`). Every answer is checked against the contract's zod schema here, so the
 * views can trust what they get; every failure becomes an Error whose message is for the
 * operator.
 */
import type { z } from 'zod';
import {
  CallError,
  calls,
  EngineEvent,
  type CallInput,
  type CallName,
  type CallOutput,
} from '../../../src-shared/api.js';

export interface Client {
  readonly mode: 'desktop' | 'web';
  /** Calls the engine; rejects with an Error whose message is for the operator. */
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>;
  /** Listens to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** Hears whether live updates flow (true) or are lost and being retried (false). */
  onConnection(listener: (connected: boolean) => void): () => void;
  /** URL of a media path: `recording/<id>`, `poster/<id>` or `thumb/<recordingId>/<seconds>`. */
  mediaUrl(path: string): string;
  /** The engine-side path of a dropped file; null where the transport cannot know it (web mode). */
  pathForFile(file: File): string | null;
}

/** What the Electron preload exposes for calls; declared for the window in env.d.ts. */
export interface Bridge {
  call(name: string, input: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
  pathForFile?(file: File): string;
}

/** The part of EventSource the client uses, so tests can pass a fake. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((this: never, ev: Event) => unknown) | null;
  onmessage: ((this: never, ev: MessageEvent) => unknown) | null;
  onerror: ((this: never, ev: Event) => unknown) | null;
  close(): void;
}

export interface HttpOptions {
  fetch: typeof fetch;
  /** Bearer token from the address `tempo serve` printed; null: rely on the session cookie. */
  token: string | null;
  openEvents: (url: string) => EventSourceLike;
  /** Delay before reopening an event stream the server closed. */
  retryMs?: number;
}

const EVENT_SOURCE_CLOSED = 2;
const UNREACHABLE = 'Cannot reach the Tempo engine. Is `tempo serve` still running?';

/** Checks an answer against the call's output schema. */
function checked<K extends CallName>(name: K, raw: unknown): CallOutput<K> {
  const schema = calls[name].output as unknown as z.ZodType<CallOutput<K>>;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`The engine gave an answer to ${name} that this window cannot read.`);
  return parsed.data;
}

/** Strips the prefix Electron's ipcRenderer.invoke puts before a handler's message. */
export function operatorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '');
}

/** Normalises a media path: the contract gives `recording/<id>`; a leading `/` or `/media/` is tolerated. */
export function mediaPath(path: string): string {
  return path.replace(/^\/+/, '').replace(/^media\//, '');
}

/** Media path of a recording's poster. */
export function posterPath(recordingId: number): string {
  return `poster/${recordingId}`;
}

/** Media path of a still at `seconds` on a recording, to a tenth of a second (so nearby asks share a cache). */
export function thumbPath(recordingId: number, seconds: number): string {
  return `thumb/${recordingId}/${Math.max(0, seconds).toFixed(1)}`;
}

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
    mediaUrl: (path) => `tempo-media://${mediaPath(path)}`,
    pathForFile: (file) => bridge.pathForFile?.(file) || null,
  };
}

/** Client over web mode's HTTP API and its server-sent event stream. */
export function httpClient(options: HttpOptions): Client {
  const eventListeners = new Set<(event: EngineEvent) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  let source: EventSourceLike | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let connected = true;

  const setConnected = (value: boolean): void => {
    if (value === connected) return;
    connected = value;
    for (const listener of connectionListeners) listener(value);
  };

  const open = (): void => {
    const es = options.openEvents('/api/events');
    source = es;
    es.onopen = () => setConnected(true);
    es.onmessage = (message) => {
      let data: unknown;
      try {
        data = JSON.parse(String(message.data));
      } catch {
        return;
      }
      const event = EngineEvent.safeParse(data);
      if (!event.success) return;
      for (const listener of eventListeners) listener(event.data);
    };
    es.onerror = () => {
      setConnected(false);
      // The browser retries a dropped stream itself; one the server refused stays closed.
      if (es.readyState !== EVENT_SOURCE_CLOSED || retry !== null) return;
      es.close();
      retry = setTimeout(() => {
        retry = null;
        if (source === es && eventListeners.size > 0) open();
      }, options.retryMs ?? 5000);
    };
  };

  const close = (): void => {
    source?.close();
    source = null;
    if (retry !== null) clearTimeout(retry);
    retry = null;
  };

  return {
    mode: 'web',
    async call(name, input) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let response: Response;
      try {
        response = await options.fetch(`/api/${name}`, { method: 'POST', headers, body: JSON.stringify(input) });
      } catch (error) {
        throw new Error(UNREACHABLE, { cause: error });
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        body = undefined;
      }
      if (!response.ok) {
        const failure = CallError.safeParse(body);
        if (failure.success) throw new Error(failure.data.error);
        if (response.status === 401 || response.status === 403) {
          throw new Error('The engine refused this window: open the address `tempo serve` printed, with its token.');
        }
        throw new Error(`The engine answered ${response.status} ${response.statusText}`.trim() + '.');
      }
      if (body === undefined) throw new Error(`The engine gave an answer to ${name} that this window cannot read.`);
      return checked(name, body);
    },
    onEvent(listener) {
      eventListeners.add(listener);
      if (!source && retry === null) open();
      return () => {
        eventListeners.delete(listener);
        if (eventListeners.size === 0) close();
      };
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    mediaUrl: (path) => `/media/${mediaPath(path)}`,
    pathForFile: () => null,
  };
}

/** Storage of the web-mode token, so a reload keeps working. */
export const TOKEN_KEY = 'tempo.token';

/**
 * Takes the token from the address `tempo serve` printed (`?token=T`), keeps it in
 * `storage`, and returns it with the address to show instead (without the token), or
 * null when the address had none. Without one in the address, the stored token is used.
 */
export function takeToken(
  href: string,
  storage: Pick<Storage, 'getItem' | 'setItem'> | null,
): { token: string | null; cleanHref: string | null } {
  const url = new URL(href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      storage?.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage disabled: this page still has the token, and the server set its cookie.
    }
    url.searchParams.delete('token');
    return { token: fromUrl, cleanHref: url.toString() };
  }
  try {
    return { token: storage?.getItem(TOKEN_KEY) ?? null, cleanHref: null };
  } catch {
    return { token: null, cleanHref: null };
  }
}

/** The client for this window: the Electron bridge when the preload offers calls, else HTTP. */
export function createClient(win: Window): Client {
  const bridge = win.tempo;
  if (bridge?.call && bridge.onEvent) {
    const { call, onEvent, pathForFile } = bridge;
    return bridgeClient({ call, onEvent, pathForFile });
  }
  let storage: Storage | null = null;
  try {
    storage = win.sessionStorage;
  } catch {
    // Access to sessionStorage can throw where the browser blocks storage.
  }
  const { token, cleanHref } = takeToken(win.location.href, storage);
  if (cleanHref) win.history.replaceState(win.history.state, '', cleanHref);
  return httpClient({
    fetch: (input, init) => fetch(input, init),
    token,
    openEvents: (url) => new EventSource(url),
  });
}
