import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalModel } from '../engine/models/local/model.js';
import { chatCompletion } from '../engine/models/serve/chat.js';
import { readBody } from '../http/body.js';
import { HttpError } from '../http/errors.js';
import { sendError, sendJson } from '../http/json.js';
import { hasBearer } from '../http/token.js';

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

/** OpenAI's error `type` for an HTTP status. */
function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** An error in OpenAI's shape: `{ error: { message, type, code } }`. */
const openAiError = (status: number, message: string) => ({
  error: { message, type: openAiErrorType(status), code: status },
});

/** Runs one function at a time, in the order they were asked for. */
function oneAtATime(): <T>(fn: () => Promise<T>) => Promise<T> {
  let turn: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const run = turn.then(fn, fn);
    turn = run.catch(() => undefined);
    return run;
  };
}

interface ModelRoutes {
  model: LocalModel;
  token: string;
  limit: number;
  inTurn: ReturnType<typeof oneAtATime>;
}

/** Answers one request; throws HttpError (or an engine error from the model) to answer a failure. */
async function route(ctx: ModelRoutes, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method === 'GET' && url.pathname === '/health') return sendJson(res, 200, { ok: true });
  if (!hasBearer(req, ctx.token)) throw new HttpError(401, 'missing or wrong bearer token');
  if (req.method === 'GET' && url.pathname === '/v1/models') {
    return sendJson(res, 200, {
      object: 'list',
      data: [{ id: ctx.model.manifest.name, object: 'model', created: 0, owned_by: 'tempo' }],
    });
  }
  if (url.pathname !== '/v1/chat/completions') throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
  if (req.method !== 'POST') throw new HttpError(405, 'use POST');
  const raw = await readBody(req, ctx.limit);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
  const aborted = new AbortController();
  res.on('close', () => aborted.abort());
  const out = await ctx.inTurn(() => chatCompletion(ctx.model, body, aborted.signal));
  return sendJson(res, 200, out);
}

/**
 * The local runtime as an OpenAI-compatible endpoint on 127.0.0.1: GET /v1/models and
 * POST /v1/chat/completions, each behind the bearer token (GET /health is open). One
 * request runs on the model at a time; the others wait their turn. A bad request is
 * answered 400 (404 for another model), in OpenAI's error shape.
 */
export async function startModelServer(opts: ModelServerOptions): Promise<RunningModelServer> {
  const ctx: ModelRoutes = {
    model: opts.model,
    token: opts.token,
    limit: opts.maxBodyBytes ?? 256 * 1024 * 1024,
    inTurn: oneAtATime(),
  };
  const server = http.createServer((req, res) => {
    route(ctx, req, res).catch((err: unknown) => sendError(res, err, openAiError));
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
