/** The client over web mode's HTTP API and its server-sent event stream (`tempo serve`). */
import { CallError, EngineEvent } from '../../../src-shared/api.js';
import { MEDIA_ROUTE, mediaPath, mediaRecordingId } from '../../../src-shared/media-url.js';
import { checked, unreadable, type Client } from './client.js';
import { EVENT_SOURCE_CLOSED, fetchEventSource, type EventSourceLike } from './event-source.js';
import { mediaSigner } from './media-signer.js';

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

const UNREACHABLE = 'Cannot reach the Tempo engine. Is `tempo serve` still running?';

/** The JSON body of an answer; undefined when it has none. */
async function jsonBody(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

/** An error answer as an Error for the operator: the engine's message when it sent one. */
function failure(response: Response, body: unknown): Error {
  const parsed = CallError.safeParse(body);
  if (parsed.success) return new Error(parsed.data.error);
  if (response.status === 401 || response.status === 403) {
    return new Error('The engine refused this window: open the address `tempo serve` printed, with its token.');
  }
  return new Error(`The engine answered ${response.status} ${response.statusText}`.trim() + '.');
}

/**
 * Engine events over one event stream: opened while someone listens, closed when the last
 * listener leaves. The browser retries a dropped stream itself; one the server closed is
 * reopened after `retryMs`. Connection listeners hear when live updates stop and come back.
 */
class EventFeed {
  private readonly events = new Set<(event: EngineEvent) => void>();
  private readonly connections = new Set<(connected: boolean) => void>();
  private source: EventSourceLike | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private connected = true;

  constructor(
    private readonly openEvents: (url: string) => EventSourceLike,
    private readonly retryMs: number,
  ) {}

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.events.add(listener);
    if (!this.source && this.retry === null) this.open();
    return () => {
      this.events.delete(listener);
      if (this.events.size === 0) this.close();
    };
  }

  onConnection(listener: (connected: boolean) => void): () => void {
    this.connections.add(listener);
    return () => this.connections.delete(listener);
  }

  private setConnected(value: boolean): void {
    if (value === this.connected) return;
    this.connected = value;
    for (const listener of this.connections) listener(value);
  }

  private open(): void {
    const es = this.openEvents('/api/events');
    this.source = es;
    es.onopen = () => this.setConnected(true);
    es.onmessage = (message) => this.relay(message);
    es.onerror = () => this.lost(es);
  }

  private relay(message: MessageEvent): void {
    let data: unknown;
    try {
      data = JSON.parse(String(message.data));
    } catch {
      return;
    }
    const event = EngineEvent.safeParse(data);
    if (!event.success) return;
    for (const listener of this.events) listener(event.data);
  }

  private lost(es: EventSourceLike): void {
    this.setConnected(false);
    if (es.readyState !== EVENT_SOURCE_CLOSED || this.retry !== null) return;
    es.close();
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.source === es && this.events.size > 0) this.open();
    }, this.retryMs);
  }

  private close(): void {
    this.source?.close();
    this.source = null;
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
  }
}

/** Client over web mode's HTTP API and its server-sent event stream. */
export function httpClient(options: HttpOptions): Client {
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const openEvents = options.openEvents ?? ((url: string) => fetchEventSource(options.fetch, url, auth));
  const feed = new EventFeed(openEvents, options.retryMs ?? 5000);
  const clock = options.now ?? (() => Date.now());
  // How far the server's clock is ahead of this window's (media links expire by the server's).
  let skewMs = 0;
  const signer = options.token ? mediaSigner(options.token) : null;

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
      const body = await jsonBody(response);
      if (!response.ok) throw failure(response, body);
      if (body === undefined) throw new Error(unreadable(name));
      return checked(name, body);
    },
    onEvent: (listener) => feed.onEvent(listener),
    onConnection: (listener) => feed.onConnection(listener),
    mediaUrl: (path) => {
      const p = mediaPath(path);
      const id = mediaRecordingId(p) ?? '';
      if (!signer || !/^\d+$/.test(id)) return `${MEDIA_ROUTE}${p}`;
      const { exp, sig } = signer(id, clock() + skewMs);
      return `${MEDIA_ROUTE}${p}?exp=${exp}&sig=${sig}`;
    },
    pathForFile: () => null,
  };
}
