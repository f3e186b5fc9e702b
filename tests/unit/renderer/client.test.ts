import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type EngineEvent } from '../../../src-shared/api.js';
import { mediaPath, thumbPath } from '../../../src-shared/media-url.js';
import { bridgeClient, operatorMessage } from '../../../src-renderer/src/lib/client.js';
import { takeToken, TOKEN_KEY } from '../../../src-renderer/src/lib/create-client.js';
import type { EventSourceLike } from '../../../src-renderer/src/lib/event-source.js';
import { httpClient } from '../../../src-renderer/src/lib/http-client.js';
import { mediaKey, mediaSignature } from '../../../src-main/server/web-security.js';

const settingsOut = {
  settings: DEFAULT_SETTINGS,
  dataFolder: '/home/op/.tempo',
};

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

class FakeEventSource implements EventSourceLike {
  static opened: FakeEventSource[] = [];
  readyState = 0;
  onopen: EventSourceLike['onopen'] = null;
  onmessage: EventSourceLike['onmessage'] = null;
  onerror: EventSourceLike['onerror'] = null;
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.call(undefined as never, new Event('open'));
  }
  send(data: string): void {
    this.onmessage?.call(undefined as never, new MessageEvent('message', { data }));
  }
  fail(readyState: number): void {
    this.readyState = readyState;
    this.onerror?.call(undefined as never, new Event('error'));
  }
}

function web(fetch: typeof globalThis.fetch, token: string | null = 'T', now?: () => number) {
  FakeEventSource.opened = [];
  return httpClient({ fetch, token, openEvents: (url) => new FakeEventSource(url), retryMs: 1000, now });
}

describe('httpClient calls', () => {
  it('POSTs the input as JSON with the bearer token and returns the checked output', async () => {
    const fetch = vi.fn(async () => json(200, settingsOut));
    const out = await web(fetch).call('settings.get', {});
    expect(out.dataFolder).toBe('/home/op/.tempo');
    expect(fetch).toHaveBeenCalledWith('/api/settings.get', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer T' },
      body: '{}',
    });
  });

  it('leaves the header out without a token (no cookie stands in: the engine refuses the call)', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => json(200, settingsOut));
    await web(fetch, null).call('settings.get', {});
    expect(fetch.mock.calls[0]?.[1]?.headers).toEqual({ 'content-type': 'application/json' });
  });

  it("throws the engine's message on an error answer", async () => {
    const fetch = vi.fn(async () => json(404, { error: 'no recording 7 in the library', usage: true }));
    await expect(web(fetch).call('recording.detail', { recordingId: 7 })).rejects.toThrow(
      'no recording 7 in the library',
    );
  });

  it('explains a refused token and other failures without a JSON body', async () => {
    await expect(web(async () => new Response('nope', { status: 401 })).call('jobs.list', {})).rejects.toThrow(
      /tempo serve/,
    );
    await expect(
      web(async () => new Response('', { status: 502, statusText: 'Bad Gateway' })).call('jobs.list', {}),
    ).rejects.toThrow('The engine answered 502 Bad Gateway.');
  });

  it('says the engine is unreachable when fetch itself fails', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(web(fetch).call('jobs.list', {})).rejects.toThrow(/Cannot reach the Tempo engine/);
  });

  it('rejects an answer that breaks the contract', async () => {
    const fetch = vi.fn(async () => json(200, { jobs: [{ id: 'one' }] }));
    await expect(web(fetch).call('jobs.list', {})).rejects.toThrow(/cannot read/);
    await expect(web(async () => new Response('<html>', { status: 200 })).call('jobs.list', {})).rejects.toThrow(
      /cannot read/,
    );
  });
});

describe('httpClient events', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens one stream for its listeners and passes on valid events only', () => {
    const client = web(vi.fn());
    const got: EngineEvent[] = [];
    const stop = client.onEvent((e) => got.push(e));
    const stop2 = client.onEvent(() => {});
    expect(FakeEventSource.opened.map((s) => s.url)).toEqual(['/api/events']);
    const es = FakeEventSource.opened[0]!;
    es.send(JSON.stringify({ kind: 'library-changed' }));
    es.send('not json');
    es.send(JSON.stringify({ kind: 'unknown' }));
    expect(got).toEqual([{ kind: 'library-changed' }]);
    stop();
    expect(es.closed).toBe(false);
    stop2();
    expect(es.closed).toBe(true);
  });

  it('reports a lost stream, and reopens one the server closed', () => {
    vi.useFakeTimers();
    const client = web(vi.fn());
    const states: boolean[] = [];
    client.onConnection((up) => states.push(up));
    client.onEvent(() => {});
    const first = FakeEventSource.opened[0]!;
    first.open();
    first.fail(0); // the browser retries by itself
    expect(FakeEventSource.opened).toHaveLength(1);
    first.fail(2); // closed for good: the client retries later
    vi.advanceTimersByTime(1000);
    expect(FakeEventSource.opened).toHaveLength(2);
    FakeEventSource.opened[1]!.open();
    expect(states).toEqual([false, true]);
  });
});

describe('bridgeClient', () => {
  it('calls through the preload and checks the answer', async () => {
    const call = vi.fn(async () => settingsOut);
    const client = bridgeClient({ call, onEvent: () => () => {} });
    expect((await client.call('settings.get', {})).settings.device).toBe('cpu');
    expect(call).toHaveBeenCalledWith('settings.get', {});
  });

  it("passes on the handler's message without Electron's prefix", async () => {
    const call = vi.fn(async () => {
      throw new Error("Error invoking remote method 'tempo:call': Error: the model server is down");
    });
    await expect(bridgeClient({ call, onEvent: () => () => {} }).call('jobs.list', {})).rejects.toThrow(
      /^the model server is down$/,
    );
    expect(operatorMessage(new Error('plain'))).toBe('plain');
  });

  it('filters events and builds tempo-media URLs and file paths', () => {
    let push: (e: unknown) => void = () => {};
    const client = bridgeClient({
      call: vi.fn(),
      onEvent: (listener) => {
        push = listener;
        return () => {};
      },
      pathForFile: () => '/videos/a.mp4',
    });
    const got: EngineEvent[] = [];
    client.onEvent((e) => got.push(e));
    push({ kind: 'library-changed' });
    push({ kind: 'nonsense' });
    expect(got).toHaveLength(1);
    expect(client.mediaUrl('recording/3')).toBe('tempo-media://recording/3');
    expect(client.pathForFile({} as File)).toBe('/videos/a.mp4');
  });
});

describe('media paths and the web token', () => {
  it('builds /media URLs in web mode, signed per recording for <video> and <img> (no cookie)', () => {
    const now = Date.UTC(2025, 0, 2, 10, 30);
    const client = web(vi.fn(), 'T', () => now);
    const exp = Date.UTC(2025, 0, 2, 23) / 1000;
    const sig = mediaSignature(mediaKey('T'), '3', exp);
    expect(client.mediaUrl('recording/3')).toBe(`/media/recording/3?exp=${exp}&sig=${sig}`);
    expect(client.mediaUrl('/media/poster/3')).toBe(`/media/poster/3?exp=${exp}&sig=${sig}`);
    expect(client.mediaUrl(thumbPath(3, 12.345))).toBe(`/media/thumb/3/12.3?exp=${exp}&sig=${sig}`);
    expect(client.mediaUrl('poster/4')).not.toContain(sig);
    expect(web(vi.fn(), null).mediaUrl('poster/3')).toBe('/media/poster/3');
    expect(mediaPath('/recording/1')).toBe('recording/1');
    expect(client.pathForFile({} as File)).toBeNull();
  });

  it('keeps the token from the address and takes it out of the address', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => store.set(k, v),
    };
    const first = takeToken('http://127.0.0.1:5000/?token=abc#x', storage);
    expect(first).toEqual({ token: 'abc', cleanHref: 'http://127.0.0.1:5000/#x' });
    expect(store.get(TOKEN_KEY)).toBe('abc');
    expect(takeToken('http://127.0.0.1:5000/', storage)).toEqual({ token: 'abc', cleanHref: null });
    expect(takeToken('http://127.0.0.1:5000/', null)).toEqual({ token: null, cleanHref: null });
  });
});
