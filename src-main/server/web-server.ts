import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { EngineEvent } from '../../src-shared/api.js';
import { byteRange, MediaRouteError, resolveMedia } from '../engine/api/media.js';
import { NotFoundError, UsageError } from '../engine/api/errors.js';
import { handle } from '../engine/api/handlers.js';
import type { Engine } from '../engine/engine.js';

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

const COOKIE = 'tempo_token';
const MAX_BODY = 4 * 1024 * 1024;
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

const digest = (s: string) => createHash('sha256').update(s).digest();

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.byteLength;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'request body too large'));
        req.destroy();
      } else chunks.push(c);
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
 * 127.0.0.1 only, behind a random token. The page is opened at /?token=T; that first
 * request sets an HttpOnly cookie so media and event streams are authorised too. Every
 * request without the token (header, cookie or query) gets 401; a Host header other than
 * this address is refused (DNS rebinding). Media routes serve only recordings in the library.
 */
export async function startWebServer(opts: WebServerOptions): Promise<RunningWebServer> {
  const { engine } = opts;
  const expected = digest(opts.token);
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

  const authorised = (req: http.IncomingMessage, url: URL): 'ok' | 'query' | false => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    for (const t of [bearer, cookieToken(req.headers.cookie)])
      if (t && timingSafeEqual(digest(t), expected)) return 'ok';
    const q = url.searchParams.get('token');
    if (q && timingSafeEqual(digest(q), expected)) return 'query';
    return false;
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) throw new HttpError(421, 'wrong host');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const auth = authorised(req, url);
    if (!auth) throw new HttpError(401, 'missing or wrong token: open the address tempo serve printed');
    if (auth === 'query') {
      res.setHeader('set-cookie', `${COOKIE}=${encodeURIComponent(opts.token)}; HttpOnly; SameSite=Strict; Path=/`);
    }
    const parts = url.pathname.split('/').filter(Boolean);

    if (parts[0] === 'api') {
      if (parts[1] === 'events' && req.method === 'GET') {
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
      const name = parts.slice(1).join('/');
      const raw = await readBody(req);
      let input: unknown;
      try {
        input = raw.length > 0 ? JSON.parse(raw) : {};
      } catch {
        throw new HttpError(400, 'the body is not JSON');
      }
      try {
        sendJson(res, 200, await handle(engine, name, input));
      } catch (err) {
        if (err instanceof UsageError) return sendJson(res, 400, { error: err.message, usage: true });
        if (err instanceof NotFoundError) return sendJson(res, 404, { error: err.message, usage: true });
        return sendJson(res, 500, { error: oneLine(err), usage: false });
      }
      return;
    }

    if (parts[0] === 'media') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'media is GET');
      try {
        const { file, type } = await resolveMedia(engine, parts.slice(1).join('/'));
        return sendFile(req, res, file, type);
      } catch (err) {
        if (err instanceof MediaRouteError) throw new HttpError(err.status, err.message);
        throw err;
      }
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'GET only');
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
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
