import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { EngineEvent } from '../../src-shared/api.js';
import { mediaRecordingId } from '../../src-shared/media-url.js';
import { toCallError } from '../engine/api/call-error.js';
import { handle } from '../engine/api/handlers.js';
import { resolveMedia } from '../engine/api/media.js';
import type { Engine } from '../engine/engine.js';
import { readBody } from '../http/body.js';
import { HttpError } from '../http/errors.js';
import { EventStream } from '../http/event-stream.js';
import { sendFile } from '../http/files.js';
import { sendError, sendJson } from '../http/json.js';
import { hasBearer, sameSecret } from '../http/token.js';
import { checkMediaSignature, forgeryCheck, isJsonType, mediaKey, SECURITY_HEADERS } from './web-security.js';

export interface WebServerOptions {
  engine: Engine;
  /** Folder of the built renderer (index.html and its assets). */
  rendererDir: string;
  token: string;
  /** 0 picks a free port. */
  port: number;
}

export interface RunningWebServer {
  /** The address to open, with the token. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The largest request body taken (api inputs are small); a larger one is answered 413. */
export const MAX_BODY = 4 * 1024 * 1024;

const UNAUTHORISED = 'missing or wrong token: open the address tempo serve printed';

/** What every route of one running server reads. */
interface WebContext {
  engine: Engine;
  token: string;
  /** Key of the signed media links (web-security.ts). */
  signingKey: Buffer;
  rendererRoot: string;
  /** Known once the server listens. */
  port: number;
  events: EventStream<EngineEvent>;
}

function requireBearer(ctx: WebContext, req: http.IncomingMessage): void {
  if (!hasBearer(req, ctx.token)) throw new HttpError(401, UNAUTHORISED);
}

/**
 * The request's URL, once its Host is this server's own (421 otherwise: DNS rebinding) and
 * its target is a path; sets the security headers every answer carries.
 */
function requestUrl(ctx: WebContext, req: http.IncomingMessage, res: http.ServerResponse): URL {
  const host = req.headers.host ?? '';
  if (host !== `127.0.0.1:${ctx.port}` && host !== `localhost:${ctx.port}`) throw new HttpError(421, 'wrong host');
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  if (!(req.url ?? '').startsWith('/')) throw new HttpError(400, 'bad request target');
  try {
    return new URL(`http://127.0.0.1:${ctx.port}${req.url}`);
  } catch {
    throw new HttpError(400, 'bad request target');
  }
}

/** Answers one request; throws HttpError (or any error, 500) to answer a failure. */
async function route(ctx: WebContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = requestUrl(ctx, req, res);
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] === 'api') {
    if (parts[1] === 'events' && parts.length === 2 && req.method === 'GET') {
      requireBearer(ctx, req);
      return ctx.events.add(req, res);
    }
    return apiCall(ctx, req, res, parts.slice(1).join('/'));
  }
  if (parts[0] === 'media') return media(ctx, req, res, url, parts.slice(1).join('/'));
  return appFile(ctx, req, res, url);
}

/**
 * POST /api/<name>: a contract call from this server's own page (403 from any other origin
 * or not as JSON), with the token; its failure is answered as the contract's CallError.
 */
async function apiCall(ctx: WebContext, req: http.IncomingMessage, res: http.ServerResponse, name: string) {
  if (req.method !== 'POST') throw new HttpError(405, 'api calls are POST');
  const forged = forgeryCheck(req, ctx.port);
  if (forged) throw new HttpError(403, `${forged}: the api answers only the page tempo serve serves`);
  requireBearer(ctx, req);
  if (!isJsonType(req.headers['content-type']))
    throw new HttpError(403, 'api calls must be sent as Content-Type: application/json');
  const input = await jsonObjectBody(req);
  try {
    sendJson(res, 200, await handle(ctx.engine, name, input));
  } catch (err) {
    const { status, error, usage } = toCallError(err);
    sendJson(res, status, { error, usage });
  }
}

/** The request's body as a JSON object; an empty body is `{}`. */
async function jsonObjectBody(req: http.IncomingMessage): Promise<object> {
  const raw = (await readBody(req, MAX_BODY)).toString('utf8');
  let input: unknown;
  try {
    input = raw.trim().length > 0 ? JSON.parse(raw) : {};
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new HttpError(400, 'the body must be a JSON object');
  return input;
}

/**
 * GET /media/<media path>: library media, with the token or through a link signed for the
 * recording the path is about (the same one it resolves to).
 */
async function media(ctx: WebContext, req: http.IncomingMessage, res: http.ServerResponse, url: URL, at: string) {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'media is GET');
  if (!hasBearer(req, ctx.token)) {
    const signed = checkMediaSignature(ctx.signingKey, mediaRecordingId(at), url);
    if (signed === 'expired') throw new HttpError(401, 'this media link has expired: reload the page');
    if (signed !== 'ok') throw new HttpError(401, UNAUTHORISED);
  }
  const { file, type } = await resolveMedia(ctx.engine, at);
  sendFile(req, res, file, type);
}

/**
 * The app itself: open to whoever reaches the port (its files hold no data; the page asks for
 * the token). An address with a wrong token is turned away here, where it is plain.
 */
function appFile(ctx: WebContext, req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'GET only');
  const given = url.searchParams.get('token');
  if (given !== null && !sameSecret(given, ctx.token)) throw new HttpError(401, UNAUTHORISED);
  let rel: string;
  try {
    rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
  } catch {
    throw new HttpError(400, 'bad percent-encoding in the path');
  }
  const file = path.resolve(ctx.rendererRoot, rel);
  if (!file.startsWith(ctx.rendererRoot + path.sep)) throw new HttpError(404, 'not found');
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new HttpError(404, 'not found');
  sendFile(req, res, file);
}

/** A failure outside a contract call: its status, and `usage` for every status below 500. */
const webError = (status: number, message: string) => ({ error: message, usage: status < 500 });

/**
 * Web mode: the renderer and the same api handlers over HTTP, with server-sent events, on
 * 127.0.0.1 only, behind a random token. No cookie: the browser would send one to every
 * port of 127.0.0.1. The page is opened at /?token=T, keeps T for itself and sends it as
 * `Authorization: Bearer T` on api calls and on the event stream; <video> and <img> load
 * media through URLs signed per recording with a key derived from T. The app's files are
 * served to anyone who can reach the port (they hold no data); everything else without the
 * token gets 401. Every POST must be application/json from this server's own origin (403
 * otherwise), so another local page cannot make the browser act for it; no answer may be
 * framed; a Host header other than this address is refused (421, DNS rebinding). Media
 * routes serve only recordings in the library.
 */
export async function startWebServer(opts: WebServerOptions): Promise<RunningWebServer> {
  const { engine } = opts;
  const ctx: WebContext = {
    engine,
    token: opts.token,
    signingKey: mediaKey(opts.token),
    rendererRoot: path.resolve(opts.rendererDir),
    port: 0,
    events: new EventStream<EngineEvent>(),
  };
  engine.events.on('event', ctx.events.send);
  const server = http.createServer((req, res) => {
    route(ctx, req, res).catch((err: unknown) => sendError(res, err, webError));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  }).catch((err: unknown) => {
    engine.events.off('event', ctx.events.send);
    ctx.events.close();
    throw err;
  });
  ctx.port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${ctx.port}/?token=${encodeURIComponent(opts.token)}`,
    port: ctx.port,
    close: () =>
      new Promise<void>((resolve) => {
        engine.events.off('event', ctx.events.send);
        ctx.events.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
