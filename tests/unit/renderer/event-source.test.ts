import { describe, expect, it, vi } from 'vitest';
import { fetchEventSource, frameData } from '../../../src-renderer/src/lib/event-source.js';

describe('fetchEventSource', () => {
  function streamed(chunks: string[]): { response: Response; end: () => void } {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
        for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
      },
    });
    return { response: new Response(body, { status: 200 }), end: () => controller.close() };
  }

  it('sends the bearer token, passes on data frames split across chunks, and reopens a dropped stream', async () => {
    const first = streamed(['retry: 2000\n\n: keep-alive\n\ndata: {"kind":', '"library-changed"}\n\n']);
    const second = streamed([]);
    const fetch = vi
      .fn<typeof globalThis.fetch>()
      .mockResolvedValueOnce(first.response)
      .mockResolvedValue(second.response);
    const es = fetchEventSource(fetch, '/api/events', { authorization: 'Bearer T' }, 10);
    const got: string[] = [];
    const states: string[] = [];
    es.onopen = () => states.push('open');
    es.onmessage = (m) => got.push(String(m.data));
    es.onerror = () => states.push(`error ${es.readyState}`);
    await vi.waitFor(() => expect(got).toEqual(['{"kind":"library-changed"}']));
    expect(fetch.mock.calls[0]?.[1]?.headers).toMatchObject({ authorization: 'Bearer T' });
    first.end();
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
    await vi.waitFor(() => expect(states).toEqual(['open', 'error 0', 'open']));
    es.close();
    expect(es.readyState).toBe(2);
  });

  it('stays closed when the server refuses the stream', async () => {
    const fetch = vi.fn(async () => new Response('{}', { status: 401 }));
    const es = fetchEventSource(fetch, '/api/events', {}, 10);
    const errors: number[] = [];
    es.onerror = () => errors.push(es.readyState);
    await vi.waitFor(() => expect(errors).toEqual([2]));
    await new Promise((r) => setTimeout(r, 50));
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

describe('frameData', () => {
  it("joins a frame's data lines and skips comments and retries", () => {
    expect(frameData('data: {"a":1}')).toBe('{"a":1}');
    expect(frameData('event: x\ndata:one\ndata: two')).toBe('one\ntwo');
    expect(frameData(': keep-alive')).toBeNull();
    expect(frameData('retry: 2000')).toBeNull();
  });
});
