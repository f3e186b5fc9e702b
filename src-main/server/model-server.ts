import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalModel } from '../engine/models/local/model.js';
import { chatCompletion, HttpError } from '../engine/models/serve/chat.js';

export interface ModelServerOptions {
  model: LocalModel;
  /** Bearer token every request must carry. */
  token: string;
  /** 0 picks a free port. */
  port: number;
  /** Largest request body (default 256 MiB: a window of frames as images). */
  maxBodyBytes?: number;
}

export interface RunningModelServer {
  /** Base URL for OpenAI clients, ending in /v1. */
  url: string;
  close(): Promise<void>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function send(res: http.ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: http.ServerResponse, err: HttpError): void {
  send(res, err.status, { error: { message: err.message, type: err.type, code: err.status } });
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.byteLength;
      if (size > limit) {
        reject(new HttpError(413, `request body over ${limit} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The local runtime as an OpenAI-compatible endpoint on 127.0.0.1: GET /v1/models and
 * POST /v1/chat/completions, each behind the bearer token (GET /health is open). One
 * request runs on the model at a time; the others wait their turn.
 */
export async function startModelServer(opts: ModelServerOptions): Promise<RunningModelServer> {
  const expected = digest(`Bearer ${opts.token}`);
  const limit = opts.maxBodyBytes ?? 256 * 1024 * 1024;
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = turn.then(fn, fn);
    turn = run.catch(() => undefined);
    return run;
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { ok: true });
      if (!timingSafeEqual(digest(req.headers.authorization ?? ''), expected))
        throw new HttpError(401, 'missing or wrong bearer token', 'authentication_error');
      if (req.method === 'GET' && url.pathname === '/v1/models') {
        return send(res, 200, {
          object: 'list',
          data: [{ id: opts.model.manifest.name, object: 'model', created: 0, owned_by: 'tempo' }],
        });
      }
      if (url.pathname === '/v1/chat/completions') {
        if (req.method !== 'POST') throw new HttpError(405, 'use POST');
        const raw = await readBody(req, limit);
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HttpError(400, 'the body is not JSON');
        }
        const aborted = new AbortController();
        res.on('close', () => aborted.abort());
        const out = await inTurn(() => chatCompletion(opts.model, body, aborted.signal));
        return send(res, 200, out);
      }
      throw new HttpError(404, `no route ${req.method} ${url.pathname}`, 'not_found_error');
    })().catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (err instanceof HttpError) sendError(res, err);
      else sendError(res, new HttpError(500, (err as Error).message?.split('\n')[0] ?? 'server error', 'server_error'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
