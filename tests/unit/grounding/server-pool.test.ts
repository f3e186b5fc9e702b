/**
 * ServerPool: which server each question goes to (fewest outstanding, at most `perServer`
 * each, the rest in turn), a failing server's question moved to another, one line when all
 * have failed, and cancellation. Scheduling is checked on scripted backends; connecting,
 * failing over a broken or hung server and tokens by URL on scripted HTTP servers on loopback.
 * The real `tempo serve-model` processes are in tests/integration/remote/server-pool.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Asked, AskOptions, GroundingBackend } from '../../../src-main/engine/grounding/backend.js';
import { RemoteError } from '../../../src-main/engine/grounding/remote-backend.js';
import { ServerPool } from '../../../src-main/engine/grounding/server-pool.js';
import { UsageError } from '../../../src-main/engine/errors.js';
import type { PromptFrame } from '../../../src-main/engine/models/local/prompt.js';

/** A question a scripted backend holds until the test answers or fails it. */
interface Held {
  instruction: string;
  signal?: AbortSignal;
  answer(text: string): void;
  fail(err: unknown): void;
}

/** A backend whose questions wait for the test. */
class Scripted implements GroundingBackend {
  readonly pairsFrames = false;
  readonly device = 'scripted';
  readonly held: Held[] = [];
  constructor(readonly modelName = 'm') {}
  ask(_groups: readonly (readonly PromptFrame[])[], instruction: string, opts: AskOptions): Promise<Asked> {
    return new Promise<Asked>((resolve, reject) =>
      this.held.push({ instruction, signal: opts.signal, answer: (t) => resolve({ texts: [t] }), fail: reject }),
    );
  }
}

const ASK = { samples: 1, maxNewTokens: 4 };
const frame: PromptFrame = { t: 0, width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(90) };

function scriptedPool(n: number, perServer = 2) {
  const backends = Array.from({ length: n }, () => new Scripted());
  const urls = backends.map((_, i) => `http://s${i}/v1`);
  const dispatched: string[] = [];
  const failed: [string, string][] = [];
  const pool = ServerPool.of(
    backends.map((backend, i) => ({ url: urls[i]!, backend })),
    { perServer, events: { dispatched: (u) => dispatched.push(u), failed: (u, why) => failed.push([u, why]) } },
  );
  return { pool, backends, urls, dispatched, failed };
}

const down = (url: string) => new RemoteError(`model server ${url} is not reachable (ECONNREFUSED)`);

describe('ServerPool scheduling', () => {
  it('sends each question to the server with the fewest outstanding, at most perServer each, the rest in turn', async () => {
    const { pool, backends, urls, dispatched } = scriptedPool(2, 2);
    expect(pool).toMatchObject({ device: 'pool of 2 servers', modelName: 'm', pairsFrames: false, concurrency: 4 });
    const asks = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5'].map((q) => pool.ask([[frame]], q, ASK));
    await tick();
    expect(dispatched).toEqual([urls[0], urls[1], urls[0], urls[1]]);
    expect(backends.map((b) => b.held.map((h) => h.instruction))).toEqual([
      ['q0', 'q2'],
      ['q1', 'q3'],
    ]);
    // s1 frees a place: the first question waiting (q4) takes it, then q5 the next one freed.
    backends[1]!.held[0]!.answer('a1');
    await tick();
    expect(backends[1]!.held.map((h) => h.instruction)).toEqual(['q1', 'q3', 'q4']);
    backends[0]!.held[1]!.answer('a2');
    await tick();
    expect(backends[0]!.held.map((h) => h.instruction)).toEqual(['q0', 'q2', 'q5']);
    for (const b of backends) for (const h of b.held) h.answer(`a-${h.instruction}`);
    const got = await Promise.all(asks);
    expect(got.map((a) => a.server)).toEqual([urls[0], urls[1], urls[0], urls[1], urls[1], urls[0]]);
    expect(got.map((a) => a.texts[0])).toEqual(['a-q0', 'a1', 'a2', 'a-q3', 'a-q4', 'a-q5']);
  });

  it("moves a failing server's question to another live server and answers it once", async () => {
    const { pool, backends, urls, failed, dispatched } = scriptedPool(3, 1);
    const asks = ['q0', 'q1', 'q2', 'q3'].map((q) => pool.ask([[frame]], q, ASK));
    await tick();
    expect(dispatched).toEqual(urls);
    backends[1]!.held[0]!.fail(down(urls[1]!));
    await tick();
    expect(failed).toEqual([[urls[1], 'is not reachable (ECONNREFUSED)']]);
    expect(pool.live).toEqual([urls[0], urls[2]]);
    expect(pool.concurrency).toBe(2);
    // q1 went back in line behind q3, which was waiting first; neither goes to the server that left.
    backends[0]!.held[0]!.answer('a0');
    await tick();
    backends[2]!.held[0]!.answer('a2');
    await tick();
    expect(backends[0]!.held.map((h) => h.instruction)).toEqual(['q0', 'q3']);
    expect(backends[2]!.held.map((h) => h.instruction)).toEqual(['q2', 'q1']);
    expect(backends[1]!.held).toHaveLength(1);
    backends[0]!.held[1]!.answer('a3');
    backends[2]!.held[1]!.answer('a1');
    const got = await Promise.all(asks);
    expect(got.map((a) => [a.texts, a.server])).toEqual([
      [['a0'], urls[0]],
      [['a1'], urls[2]],
      [['a2'], urls[2]],
      [['a3'], urls[0]],
    ]);
  });

  it('keeps a server whose answer is about the question (a 400), and rejects that question', async () => {
    const { pool, backends, urls, failed } = scriptedPool(2, 1);
    const asked = pool.ask([[frame]], 'q', ASK);
    await tick();
    backends[0]!.held[0]!.fail(
      new RemoteError(`model server ${urls[0]} answered 400: the image could not be decoded`, 400),
    );
    await expect(asked).rejects.toThrow(/answered 400/);
    expect(failed).toEqual([]);
    expect(pool.live).toEqual(urls);
  });

  it('fails every question with one line naming each server and why, once none is left', async () => {
    const { pool, backends, urls } = scriptedPool(2, 1);
    const asks = ['q0', 'q1', 'q2'].map((q) => pool.ask([[frame]], q, ASK));
    for (const a of asks) a.catch(() => undefined);
    await tick();
    backends[0]!.held[0]!.fail(down(urls[0]!));
    await tick();
    // q0 moved to s1's line; s1 then stops answering in time: q0, q1 and q2 all fail with the same line.
    backends[1]!.held[0]!.fail(new RemoteError(`model server ${urls[1]} did not answer in time`));
    const line = `every model server of the pool failed: ${urls[0]} (is not reachable (ECONNREFUSED)), ${urls[1]} (did not answer in time)`;
    for (const a of asks) await expect(a).rejects.toThrow(new RemoteError(line));
    await expect(pool.ask([[frame]], 'later', ASK)).rejects.toThrow(line);
    expect(pool.live).toEqual([]);
  });

  it('rejects at once when cancelled, waiting or asked, and keeps the servers', async () => {
    const { pool, backends, urls, failed } = scriptedPool(1, 1);
    const ctl = new AbortController();
    const asked = pool.ask([[frame]], 'q0', { ...ASK, signal: ctl.signal });
    const waiting = pool.ask([[frame]], 'q1', { ...ASK, signal: ctl.signal });
    const other = pool.ask([[frame]], 'q2', ASK);
    await tick();
    ctl.abort();
    // The scripted backend ignores the signal: the pool does not wait for it.
    await expect(asked).rejects.toThrow('cancelled');
    await expect(waiting).rejects.toThrow('cancelled');
    await expect(pool.ask([[frame]], 'q3', { ...ASK, signal: ctl.signal })).rejects.toThrow('cancelled');
    expect(failed).toEqual([]);
    expect(pool.live).toEqual(urls);
    // The server still holds q0: q2 goes once it lets go of it (as the cancelled request fails there).
    expect(backends[0]!.held.map((h) => h.instruction)).toEqual(['q0']);
    backends[0]!.held[0]!.fail(new Error('cancelled'));
    await tick();
    expect(backends[0]!.held.map((h) => h.instruction)).toEqual(['q0', 'q2']);
    backends[0]!.held[1]!.answer('a2');
    expect((await other).texts).toEqual(['a2']);
  });

  it('wants one model on every server, and at least one server', () => {
    const a = { url: 'http://a/v1', backend: new Scripted('m1') };
    const b = { url: 'http://b/v1', backend: new Scripted('m2') };
    expect(() => ServerPool.of([a, b])).toThrow(
      new RemoteError(
        `model servers http://a/v1 and http://b/v1 serve different models ('m1', 'm2'): name one with {model}`,
      ),
    );
    expect(() => ServerPool.of([])).toThrow(UsageError);
    expect(() => ServerPool.of([a], { perServer: 0 })).toThrow(/whole number from 1 to 64/);
    expect(() => ServerPool.of([a], { perServer: 65 })).toThrow(/whole number from 1 to 64/);
    expect(ServerPool.of([a]).device).toBe('pool of 1 server');
  });
});

type Handler = (req: { url: string; auth: string }, res: http.ServerResponse) => void;
const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A scripted HTTP server on loopback; counts its chat requests. */
async function fakeServer(handle: Handler): Promise<{ url: string; chats: () => number; auths: string[] }> {
  let chats = 0;
  const auths: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      auths.push(req.headers.authorization ?? '');
      if (req.url?.endsWith('/chat/completions')) chats++;
      handle({ url: req.url ?? '', auth: req.headers.authorization ?? '' }, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, chats: () => chats, auths };
}

function json(res: http.ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'retry-after-ms': '10' });
  res.end(JSON.stringify(body));
}

const models = (id: string) => ({ object: 'list', data: [{ id, object: 'model', created: 0, owned_by: 'x' }] });
const completion = (text: string) => ({
  id: 'c',
  object: 'chat.completion',
  created: 0,
  model: 'm1',
  choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
});

/** A model server answering `text` to every question, serving `model`. */
const answering =
  (text: string, model = 'm1'): Handler =>
  (req, res) =>
    req.url.endsWith('/models') ? json(res, 200, models(model)) : json(res, 200, completion(text));

describe('ServerPool over HTTP', () => {
  it('checks every server before any work: each error names its URL', async () => {
    const good = await fakeServer(answering('ok'));
    const plain = await fakeServer((_req, res) => json(res, 404, { error: { message: 'no such route' } }));
    await expect(ServerPool.connect({ urls: [good.url, plain.url], tokenFor: () => 't' })).rejects.toThrow(
      new RemoteError(`model server ${plain.url} answered 404: no such route`, 404),
    );
    const other = await fakeServer(answering('ok', 'm2'));
    await expect(ServerPool.connect({ urls: [good.url, other.url], tokenFor: () => 't' })).rejects.toThrow(
      `model servers ${good.url} and ${other.url} serve different models ('m1', 'm2')`,
    );
    await expect(ServerPool.connect({ urls: [good.url, other.url], tokenFor: () => 't', model: 'm1' })).rejects.toThrow(
      new RemoteError(`model server ${other.url} has no model 'm1' (it has: m2)`),
    );
    await expect(ServerPool.connect({ urls: [], tokenFor: () => 't' })).rejects.toThrow(UsageError);
    expect(good.chats() + plain.chats() + other.chats()).toBe(0);
  });

  it('sends each server its own token only, and counts a URL given twice once', async () => {
    const a = await fakeServer(answering('from a'));
    const b = await fakeServer(answering('from b'));
    const pool = await ServerPool.connect({
      urls: [a.url, b.url, a.url],
      tokenFor: (u) => (u === a.url ? 'token-a' : 'token-b'),
    });
    expect(pool.device).toBe('pool of 2 servers');
    await Promise.all([0, 1, 2, 3].map((i) => pool.ask([[frame]], `q${i}`, ASK)));
    expect(new Set(a.auths)).toEqual(new Set(['Bearer token-a']));
    expect(new Set(b.auths)).toEqual(new Set(['Bearer token-b']));
  });

  it('takes a broken (5xx) and a hung server out of the pool and answers on the one left', async () => {
    const good = await fakeServer(answering('ok'));
    const broken = await fakeServer((req, res) =>
      req.url.endsWith('/models')
        ? json(res, 200, models('m1'))
        : json(res, 500, { error: { message: 'out of memory' } }),
    );
    const hung = await fakeServer((req, res) => {
      if (req.url.endsWith('/models')) json(res, 200, models('m1'));
      // Else never answers.
    });
    const failed: string[] = [];
    const pool = await ServerPool.connect({
      urls: [broken.url, hung.url, good.url],
      tokenFor: () => undefined,
      perServer: 1,
      timeoutMs: 300,
      events: { failed: (u, why) => failed.push(`${u}: ${why}`) },
    });
    const got = await Promise.all([0, 1, 2, 3].map((i) => pool.ask([[frame]], `q${i}`, ASK)));
    expect(got.map((a) => [a.texts[0], a.server])).toEqual(Array.from({ length: 4 }, () => ['ok', good.url]));
    expect(failed.sort()).toEqual(
      [`${broken.url}: answered 500: out of memory`, `${hung.url}: did not answer in time`].sort(),
    );
    // The broken one is retried once (the pool's default) before leaving; the hung one leaves at its first timeout.
    expect(broken.chats()).toBe(2);
    expect(hung.chats()).toBe(1);
    expect(good.chats()).toBe(4);
  });

  it('takes a hung server out at its first timeout and sends its question to another server at once', async () => {
    const hung = await fakeServer((req, res) => {
      if (req.url.endsWith('/models')) json(res, 200, models('m1'));
      // Else never answers.
    });
    const good = await fakeServer(answering('ok'));
    const log: string[] = [];
    const pool = await ServerPool.connect({
      urls: [hung.url, good.url],
      tokenFor: () => undefined,
      perServer: 1,
      timeoutMs: 200,
      events: {
        dispatched: (u) => log.push(`to ${u}`),
        failed: (u, why, live) => log.push(`${u} left: ${why}; ${live} left`),
      },
    });
    const asked = await pool.ask([[frame]], 'q', ASK);
    expect(asked).toMatchObject({ texts: ['ok'], server: good.url });
    expect(log).toEqual([`to ${hung.url}`, `${hung.url} left: did not answer in time; 1 left`, `to ${good.url}`]);
    expect(hung.chats()).toBe(1);
    expect(pool.live).toEqual([good.url]);
  });
});
