/**
 * RemoteBackend against a scripted HTTP server on loopback: what it sends (image parts after
 * time labels, n samples, logprobs), and how it copes with a flaky, slow or absent server.
 * The real `tempo serve-model` is tested in tests/integration/remote.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteBackend, RemoteError } from '../../../src-main/engine/grounding/remote-backend.js';
import type { PromptFrame } from '../../../src-main/engine/models/local/prompt.js';

type Handler = (req: { url: string; body: Record<string, unknown>; auth: string }, res: http.ServerResponse) => void;

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function fakeServer(
  handle: Handler,
): Promise<{ url: string; requests: { url: string; body: Record<string, unknown> }[] }> {
  const requests: { url: string; body: Record<string, unknown> }[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      requests.push({ url: req.url ?? '', body });
      handle({ url: req.url ?? '', body, auth: req.headers.authorization ?? '' }, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests };
}

function json(res: http.ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const MODELS = { object: 'list', data: [{ id: 'm1', object: 'model', created: 0, owned_by: 'x' }] };
const completion = (texts: string[]) => ({
  id: 'c',
  object: 'chat.completion',
  created: 0,
  model: 'm1',
  choices: texts.map((t, index) => ({
    index,
    message: { role: 'assistant', content: t },
    finish_reason: 'stop',
    logprobs: {
      content: [
        { token: 'The event', logprob: -0.1, top_logprobs: [] },
        { token: ' happens', logprob: -0.3, top_logprobs: [{ token: ' does', logprob: -1.5 }] },
      ],
    },
  })),
});

const frame = (t: number): PromptFrame => ({ t, width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(100) });

describe('RemoteBackend', () => {
  it('sends each frame as an image part after its time label, greedy first, then n samples', async () => {
    const srv = await fakeServer((req, res) => {
      if (req.url.endsWith('/models')) return json(res, 200, MODELS);
      const n = (req.body['n'] as number) ?? 1;
      json(res, 200, completion(Array.from({ length: n }, (_, i) => `The event happens in ${i} - 2 seconds.`)));
    });
    const backend = await RemoteBackend.connect({ url: srv.url, token: 'tok' });
    expect(backend.modelName).toBe('m1');
    expect(backend.pairsFrames).toBe(false);
    const asked = await backend.ask([[frame(0.5)], [frame(1)]], 'Find it.', { samples: 3, maxNewTokens: 20 });
    expect(asked.texts).toHaveLength(3);
    const [greedy, sampled] = srv.requests.filter((r) => r.url.endsWith('/chat/completions'));
    expect(greedy?.body).toMatchObject({
      model: 'm1',
      temperature: 0,
      n: 1,
      logprobs: true,
      top_logprobs: 5,
      max_tokens: 20,
    });
    expect(sampled?.body).toMatchObject({ n: 2, temperature: 0.7 });
    const content = (
      greedy?.body['messages'] as { content: { type: string; text?: string; image_url?: { url: string } }[] }[]
    )[0]!.content;
    expect(content.map((p) => p.type)).toEqual(['text', 'image_url', 'text', 'image_url', 'text']);
    expect(content[0]?.text).toBe('<0.5s>');
    expect(content[2]?.text).toBe('<1.0s>');
    expect(content[1]?.image_url?.url).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    expect(content[4]?.text).toBe('Find it.');
    // Answer against refusal from the greedy reply's log-probs at the branch point.
    expect(await asked.compare?.('The event happens in 0 - 2 seconds.', 'The event does not happen.')).toEqual({
      answerLogProb: -0.3,
      refusalLogProb: -1.5,
    });
  });

  it('asks again when a server ignores n', async () => {
    const srv = await fakeServer((req, res) =>
      req.url.endsWith('/models') ? json(res, 200, MODELS) : json(res, 200, completion(['none'])),
    );
    const backend = await RemoteBackend.connect({ url: srv.url });
    const asked = await backend.ask([[frame(0)]], 'q', { samples: 3, maxNewTokens: 5 });
    expect(asked.texts).toEqual(['none', 'none', 'none']);
    expect(srv.requests.filter((r) => r.url.endsWith('/chat/completions'))).toHaveLength(3);
  });

  it('retries a busy server with backoff and then succeeds', async () => {
    let calls = 0;
    const srv = await fakeServer((req, res) => {
      if (req.url.endsWith('/models')) return json(res, 200, MODELS);
      calls++;
      if (calls <= 2) return json(res, 503, { error: { message: 'busy' } }, { 'retry-after-ms': '20' });
      json(res, 200, completion(['ok']));
    });
    const backend = await RemoteBackend.connect({ url: srv.url, maxRetries: 3 });
    const asked = await backend.ask([[frame(0)]], 'q', { samples: 1, maxNewTokens: 5 });
    expect(asked.texts).toEqual(['ok']);
    expect(calls).toBe(3);
  });

  it('gives up with one clear line when the server stays broken, is too slow, refuses the token or is down', async () => {
    const broken = await fakeServer((req, res) =>
      req.url.endsWith('/models')
        ? json(res, 200, MODELS)
        : json(res, 500, { error: { message: 'out of memory' } }, { 'retry-after-ms': '10' }),
    );
    const b1 = await RemoteBackend.connect({ url: broken.url, maxRetries: 1 });
    await expect(b1.ask([[frame(0)]], 'q', { samples: 1, maxNewTokens: 5 })).rejects.toThrow(
      new RemoteError(`model server ${broken.url} answered 500: out of memory`, 500),
    );
    expect(broken.requests.filter((r) => r.url.endsWith('/chat/completions'))).toHaveLength(2);

    const slow = await fakeServer((req, res) => {
      if (req.url.endsWith('/models')) return json(res, 200, MODELS);
      // Never answers.
    });
    const b2 = await RemoteBackend.connect({ url: slow.url, timeoutMs: 150, maxRetries: 1 });
    await expect(b2.ask([[frame(0)]], 'q', { samples: 1, maxNewTokens: 5 })).rejects.toThrow(/did not answer in time/);

    const guarded = await fakeServer((req, res) =>
      req.auth === 'Bearer right' ? json(res, 200, MODELS) : json(res, 401, { error: { message: 'no' } }),
    );
    await expect(RemoteBackend.connect({ url: guarded.url, token: 'wrong' })).rejects.toThrow(
      /refused the token \(401\)/,
    );

    const gone = await fakeServer(() => undefined);
    const goneUrl = gone.url;
    const s = servers.pop()!;
    await new Promise((r) => s.close(r));
    await expect(RemoteBackend.connect({ url: goneUrl })).rejects.toThrow(
      new RemoteError(`model server ${goneUrl} is not reachable (ECONNREFUSED)`),
    );
  });
});
