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
  /** Bearer token from the address `tempo serve` printed; null: none (every call is refused). */
  token: string | null;
  /** Opens the event stream; default: read over `fetch` with the bearer token (an EventSource cannot send it). */
  openEvents?: (url: string) => EventSourceLike;
  /** Delay before reopening an event stream the server closed. */
  retryMs?: number;
  /** The clock media links expire by (default Date.now), corrected by the server's Date header. */
  now?: () => number;
}

const EVENT_SOURCE_CONNECTING = 0;
const EVENT_SOURCE_OPEN = 1;
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

/**
 * Server-sent events read over `fetch`, so the stream can carry `Authorization: Bearer`
 * (an EventSource sends only cookies, and web mode has none). Behaves as an EventSource: a
 * dropped stream is reopened after `reconnectMs` (readyState CONNECTING); one the server
 * refuses (an error status) stays CLOSED.
 */
export function fetchEventSource(
  fetchFn: typeof fetch,
  url: string,
  headers: Record<string, string>,
  reconnectMs = 2000,
): EventSourceLike {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const es: EventSourceLike & { readyState: number } = {
    readyState: EVENT_SOURCE_CONNECTING,
    onopen: null,
    onmessage: null,
    onerror: null,
    close() {
      es.readyState = EVENT_SOURCE_CLOSED;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      abort.abort();
    },
  };
  const fail = (closed: boolean): void => {
    if (es.readyState === EVENT_SOURCE_CLOSED) return;
    es.readyState = closed ? EVENT_SOURCE_CLOSED : EVENT_SOURCE_CONNECTING;
    es.onerror?.call(undefined as never, new Event('error'));
    if (!closed && es.readyState === EVENT_SOURCE_CONNECTING) timer = setTimeout(() => void connect(), reconnectMs);
  };
  const dispatch = (frame: string): void => {
    const data = frame
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
    if (data.length > 0) es.onmessage?.call(undefined as never, new MessageEvent('message', { data: data.join('\n') }));
  };
  const connect = async (): Promise<void> => {
    timer = null;
    let response: Response;
    try {
      response = await fetchFn(url, {
        headers: { ...headers, accept: 'text/event-stream' },
        cache: 'no-store',
        signal: abort.signal,
      });
    } catch {
      return fail(false);
    }
    if (!response.ok || !response.body) return fail(true);
    if (es.readyState === EVENT_SOURCE_CLOSED) return;
    es.readyState = EVENT_SOURCE_OPEN;
    es.onopen?.call(undefined as never, new Event('open'));
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // Dropped, or closed by close(): either way the stream is over.
    }
    fail(false);
  };
  void connect();
  return es;
}

/** Client over web mode's HTTP API and its server-sent event stream. */
export function httpClient(options: HttpOptions): Client {
  const eventListeners = new Set<(event: EngineEvent) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  let source: EventSourceLike | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let connected = true;
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const openEvents = options.openEvents ?? ((url: string) => fetchEventSource(options.fetch, url, auth));
  const clock = options.now ?? (() => Date.now());
  // How far the server's clock is ahead of this window's (media links expire by the server's).
  let skewMs = 0;
  const signer = options.token ? mediaSigner(options.token) : null;

  const setConnected = (value: boolean): void => {
    if (value === connected) return;
    connected = value;
    for (const listener of connectionListeners) listener(value);
  };

  const open = (): void => {
    const es = openEvents('/api/events');
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
      const headers: Record<string, string> = { 'content-type': 'application/json', ...auth };
      let response: Response;
      try {
        response = await options.fetch(`/api/${name}`, { method: 'POST', headers, body: JSON.stringify(input) });
      } catch (error) {
        throw new Error(UNREACHABLE, { cause: error });
      }
      const serverDate = Date.parse(response.headers?.get('date') ?? '');
      if (Number.isFinite(serverDate)) skewMs = serverDate - clock();
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
    mediaUrl: (path) => {
      const p = mediaPath(path);
      const id = p.split('/')[1] ?? '';
      if (!signer || !/^\d+$/.test(id)) return `/media/${p}`;
      const { exp, sig } = signer(id, clock() + skewMs);
      return `/media/${p}?exp=${exp}&sig=${sig}`;
    },
    pathForFile: () => null,
  };
}

/** Label of the media key, as the server has it (src-main/server/web-security.ts MEDIA_KEY_LABEL). */
const MEDIA_KEY_LABEL = 'tempo-media-key-v1';
/** Media links last 12 to 13 hours: the expiry is a whole hour, so a link stays the same for an hour (and is cached). */
const MEDIA_LINK_HOURS = 13;

/**
 * Signs media links for <video> and <img>, which cannot send the token: per recording, an
 * expiry and base64url(HMAC-SHA256(HMAC-SHA256(token, label), "<recordingId>.<exp>")), what
 * `tempo serve` checks. Computed here, synchronously, since a view builds its media URLs as
 * it renders.
 */
export function mediaSigner(token: string): (recordingId: string, nowMs: number) => { exp: number; sig: string } {
  const utf8 = new TextEncoder();
  const key = hmacSha256(utf8.encode(token), utf8.encode(MEDIA_KEY_LABEL));
  const cache = new Map<string, string>();
  return (recordingId, nowMs) => {
    const exp = (Math.floor(nowMs / 3_600_000) + MEDIA_LINK_HOURS) * 3600;
    const message = `${recordingId}.${exp}`;
    let sig = cache.get(message);
    if (sig === undefined) {
      sig = base64url(hmacSha256(key, utf8.encode(message)));
      if (cache.size > 10_000) cache.clear();
      cache.set(message, sig);
    }
    return { exp, sig };
  };
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// prettier-ignore
const SHA256_K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const ror = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** SHA-256 (FIPS 180-4), synchronous: the browser's crypto.subtle only answers in a promise. */
export function sha256(data: Uint8Array): Uint8Array {
  const blocks = Math.ceil((data.length + 9) / 64);
  const padded = new Uint8Array(blocks * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(data.length / 0x20000000));
  view.setUint32(padded.length - 4, (data.length * 8) >>> 0);
  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const w = new Uint32Array(64);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      w[i] = w[i - 16]! + (ror(a, 7) ^ ror(a, 18) ^ (a >>> 3)) + w[i - 7]! + (ror(b, 17) ^ ror(b, 19) ^ (b >>> 10));
    }
    let [a, b, c, d, e, f, g, k] = h as unknown as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const t1 = (k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + SHA256_K[i]! + w[i]!) | 0;
      const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0]! += a;
    h[1]! += b;
    h[2]! += c;
    h[3]! += d;
    h[4]! += e;
    h[5]! += f;
    h[6]! += g;
    h[7]! += k;
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, h[i]!);
  return out;
}

/** HMAC-SHA256 (RFC 2104). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? sha256(key) : key);
  const inner = new Uint8Array(64 + message.length);
  const outer = new Uint8Array(64 + 32);
  for (let i = 0; i < 64; i++) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  inner.set(message, 64);
  outer.set(sha256(inner), 64);
  return sha256(outer);
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
      // Storage disabled: this page still has the token (a reload will need the printed address again).
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
  return httpClient({ fetch: (input, init) => fetch(input, init), token });
}
