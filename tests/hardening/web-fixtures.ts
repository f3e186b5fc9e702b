/**
 * What the web-mode hardening tests share: `tempo serve` in its own process with a way to
 * call it as its own page would, and a fake OpenAI-compatible model server on 127.0.0.1 that
 * records what it is sent (which token, which frames).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServer } from '../support/tempo-cli.js';
import { until } from '../support/wait.js';

export interface Victim {
  base: string;
  port: number;
  token: string;
  /** The address `tempo serve` printed (with the token). */
  url: string;
  /** Calls the api as the product's page does: JSON, the bearer token, its own origin. */
  call<T = unknown>(name: string, input?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startVictim(home: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Victim> {
  const server = await startServer<{ url: string; port: number; token: string }>(
    home,
    ['serve', '--port', '0', ...args],
    env,
  );
  const { port, token, url } = server.info;
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    token,
    url,
    async call<T>(name: string, input: unknown = {}) {
      const res = await fetch(`${base}/api/${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', origin: base },
        body: JSON.stringify(input),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async stop() {
      server.child.kill('SIGTERM');
      await server.done;
    },
  };
}

export interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  /** Bytes of the body (a chat request carries the frames). */
  bytes: number;
}

export interface FakeModelServer {
  /** Base URL to give as the model server, e.g. http://127.0.0.1:PORT/v1. */
  url: string;
  port: number;
  seen: Seen[];
  /** Where /v1/models sends its callers instead (a redirect), or null to answer. */
  redirectTo: string | null;
  close(): Promise<void>;
}

/** An OpenAI-compatible server that lists one model and answers "2-5", and remembers every request. */
export async function fakeModelServer(): Promise<FakeModelServer> {
  const state: FakeModelServer = {
    url: '',
    port: 0,
    seen: [],
    redirectTo: null,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.byteLength));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      state.seen.push({ method: req.method ?? '', path, authorization: req.headers.authorization, bytes });
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (path.endsWith('/models')) {
        if (state.redirectTo) {
          res.writeHead(307, { location: `${state.redirectTo}/models` });
          return void res.end();
        }
        return json(200, { object: 'list', data: [{ id: 'fake-vl', object: 'model', created: 0, owned_by: 'test' }] });
      }
      if (path.endsWith('/chat/completions')) {
        return json(200, {
          id: 'c1',
          object: 'chat.completion',
          created: 0,
          model: 'fake-vl',
          choices: [
            { index: 0, message: { role: 'assistant', content: '2-5' }, finish_reason: 'stop', logprobs: null },
          ],
        });
      }
      json(404, { error: { message: 'no such route' } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}/v1`;
  const close = state.close;
  state.close = async () => {
    server.closeAllConnections();
    await close();
  };
  return state;
}

/** Waits until no job is queued or running. */
export async function jobsSettled(victim: Victim): Promise<void> {
  await until('jobs to settle', async () => {
    const { body } = await victim.call<{ jobs: { state: string }[] }>('jobs.list');
    return body.jobs.every((j) => j.state !== 'queued' && j.state !== 'running') ? true : undefined;
  });
}
