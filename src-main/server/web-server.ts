import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { EngineEvent } from '../../src-shared/api.js';
import { byteRange, MediaRouteError, resolveMedia } from '../engine/api/media.js';
import { NotFoundError, UsageError } from '../engine/errors.js';
import { handle } from '../engine/api/handlers.js';
import type { Engine } from '../engine/engine.js';
import {
  bearerOf,
  checkMediaSignature,
  forgeryCheck,
  isJsonType,
  mediaKey,
  sameSecret,
  SECURITY_HEADERS,
} from './web-security.js';

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
/** What is read and thrown away after a 413 so the client can read the answer; past it, the connection is closed. */
const MAX_DISCARD = 64 * 1024 * 1024;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const UNAUTHORISED = 'missing or wrong token: open the address tempo serve printed';

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/**
 * Reads a request body of at most MAX_BODY bytes. A larger one (declared or sent) is refused
 * with 413 at once; the rest of it is read and thrown away (up to MAX_DISCARD) so the client
 * gets the answer instead of a reset connection.
 */
function readBody(req: http.IncomingMessage): Promise<string> {
  const tooLarge = () => {
    req.removeAllListeners('data');
    let discarded = 0;
    req.on('data', (c: Buffer) => {
      discarded += c.byteLength;
      if (discarded > MAX_DISCARD) req.socket.destroy();
    });
    req.resume();
    return new HttpError(413, `the request body is larger than ${MAX_BODY / (1024 * 1024)} MiB`);
  };
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > MAX_BODY) return reject(tooLarge());
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.byteLength;
      if (size > MAX_BODY) reject(tooLarge());
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Streams a file, honouring one byte range (what a <video> asks for when it seeks). */
function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: string, type?: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new HttpError(404, 'the file is gone from disk');
  }
  const headers: http.OutgoingHttpHeaders = {
    'content-type': type ?? TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'no-cache',
  };
  const range = byteRange(req.headers.range, stat.size);
  if (range === 'bad') {
    res.writeHead(416, { 'content-range': `bytes */${stat.size}` });
    res.end();
    return;
  }
  if (range) {
    const { start, end } = range;
    res.writeHead(206, {
      ...headers,
      'content-range': `bytes ${start}-${end}/${stat.size}`,
      'content-length': end - start + 1,
    });
    if (req.method === 'HEAD') return void res.end();
    fs.createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': stat.size });
  if (req.method === 'HEAD') return void res.end();
  fs.createReadStream(file).pipe(res);
}

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
  const signingKey = mediaKey(opts.token);
  const rendererRoot = path.resolve(opts.rendererDir);
  let port = 0;
  const clients = new Set<http.ServerResponse>();
  const broadcast = (e: EngineEvent) => {
    const frame = `data: ${JSON.stringify(e)}\n\n`;
    for (const c of clients) c.write(frame);
  };
  engine.events.on('event', broadcast);
  const heartbeat = setInterval(() => {
    for (const c of clients) c.write(': keep-alive\n\n');
  }, 15_000);

  const hasBearer = (req: http.IncomingMessage): boolean => {
    const bearer = bearerOf(req);
    return bearer !== undefined && sameSecret(bearer, opts.token);
  };
  const requireBearer = (req: http.IncomingMessage): void => {
    if (!hasBearer(req)) throw new HttpError(401, UNAUTHORISED);
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) throw new HttpError(421, 'wrong host');
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (!(req.url ?? '').startsWith('/')) throw new HttpError(400, 'bad request target');
    let url: URL;
    try {
      url = new URL(`http://127.0.0.1:${port}${req.url}`);
    } catch {
      throw new HttpError(400, 'bad request target');
    }
    const parts = url.pathname.split('/').filter(Boolean);

    if (parts[0] === 'api') {
      if (parts[1] === 'events' && parts.length === 2 && req.method === 'GET') {
        requireBearer(req);
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write('retry: 2000\n\n');
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      }
      if (req.method !== 'POST') throw new HttpError(405, 'api calls are POST');
      const forged = forgeryCheck(req, port);
      if (forged) throw new HttpError(403, `${forged}: the api answers only the page tempo serve serves`);
      requireBearer(req);
      if (!isJsonType(req.headers['content-type']))
        throw new HttpError(403, 'api calls must be sent as Content-Type: application/json');
      const name = parts.slice(1).join('/');
      const raw = await readBody(req);
      let input: unknown;
      try {
        input = raw.trim().length > 0 ? JSON.parse(raw) : {};
      } catch {
        throw new HttpError(400, 'the body is not JSON');
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input))
        throw new HttpError(400, 'the body must be a JSON object');
      try {
        sendJson(res, 200, await handle(engine, name, input));
      } catch (err) {
        if (err instanceof UsageError) return sendJson(res, 400, { error: oneLine(err), usage: true });
        if (err instanceof NotFoundError) return sendJson(res, 404, { error: oneLine(err), usage: true });
        return sendJson(res, 500, { error: oneLine(err), usage: false });
      }
      return;
    }

    if (parts[0] === 'media') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'media is GET');
      if (!hasBearer(req)) {
        const signed = checkMediaSignature(signingKey, parts[2], url);
        if (signed === 'expired') throw new HttpError(401, 'this media link has expired: reload the page');
        if (signed !== 'ok') throw new HttpError(401, UNAUTHORISED);
      }
      try {
        const { file, type } = await resolveMedia(engine, parts.slice(1).join('/'));
        return sendFile(req, res, file, type);
      } catch (err) {
        if (err instanceof MediaRouteError) throw new HttpError(err.status, err.message);
        throw err;
      }
    }

    // The app itself: open to whoever reaches the port (its files hold no data; the page asks
    // for the token). An address with a wrong token is turned away here, where it is plain.
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'GET only');
    const given = url.searchParams.get('token');
    if (given !== null && !sameSecret(given, opts.token)) throw new HttpError(401, UNAUTHORISED);
    let rel: string;
    try {
      rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    } catch {
      throw new HttpError(400, 'bad percent-encoding in the path');
    }
    const file = path.resolve(rendererRoot, rel);
    if (!file.startsWith(rendererRoot + path.sep)) throw new HttpError(404, 'not found');
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new HttpError(404, 'not found');
    return sendFile(req, res, file);
  };

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      const status = err instanceof HttpError ? err.status : 500;
      sendJson(res, status, { error: oneLine(err), usage: status < 500 });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${encodeURIComponent(opts.token)}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        engine.events.off('event', broadcast);
        for (const c of clients) c.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function oneLine(err: unknown): string {
  return ((err as Error)?.message ?? String(err)).split('\n')[0] ?? 'error';
}
