/**
 * Server-sent events read over `fetch`, so the stream can carry `Authorization: Bearer`
 * (an EventSource sends only cookies, and web mode has none).
 */

/** The part of EventSource the client uses, so tests can pass a fake. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((this: never, ev: Event) => unknown) | null;
  onmessage: ((this: never, ev: MessageEvent) => unknown) | null;
  onerror: ((this: never, ev: Event) => unknown) | null;
  close(): void;
}

/** EventSource's readyState values. */
export const EVENT_SOURCE_CONNECTING = 0;
export const EVENT_SOURCE_OPEN = 1;
export const EVENT_SOURCE_CLOSED = 2;

/** The data of one event frame (its `data:` lines, joined), or null when it has none (a comment, a retry). */
export function frameData(frame: string): string | null {
  const data = frame
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
  return data.length > 0 ? data.join('\n') : null;
}

/** Reads an event stream to its end, handing on each frame (the text between blank lines). */
async function readFrames(body: ReadableStream<Uint8Array>, onFrame: (frame: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      onFrame(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

/**
 * An EventSource over `fetchFn`: a dropped stream is reopened after `reconnectMs`
 * (readyState CONNECTING); one the server refuses (an error status) stays CLOSED.
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
    const data = frameData(frame);
    if (data !== null) es.onmessage?.call(undefined as never, new MessageEvent('message', { data }));
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
    try {
      await readFrames(response.body, dispatch);
    } catch {
      // Dropped, or closed by close(): either way the stream is over.
    }
    fail(false);
  };
  void connect();
  return es;
}
