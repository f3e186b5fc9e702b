/**
 * The `tempo-media:` protocol of the window: library media only, resolved by the engine's
 * `resolveMedia` (the module web mode's /media/ route uses) and streamed with byte ranges so
 * a <video> can seek. Anything else is refused. The handler is a plain
 * `(Request) => Promise<Response>`, what Electron's `protocol.handle` takes, so it is tested
 * under plain Node.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { byteRange, MediaRouteError, resolveMedia } from '../engine/api/media.js';
import type { Engine } from '../engine/engine.js';
import { MEDIA_SCHEME } from './channels.js';

/**
 * How the scheme is registered (before the app is ready): a standard, secure origin whose
 * responses stream (media seeking) and that fetch() may read; CSP still applies to it.
 */
export const mediaSchemePrivileges = {
  standard: true,
  secure: true,
  stream: true,
  supportFetchAPI: true,
} as const;

/**
 * The media path of a `tempo-media:` URL (`tempo-media://recording/3` -> `recording/3`);
 * null for another scheme or a URL that does not parse.
 */
export function mediaPathOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${MEDIA_SCHEME}:`) return null;
  return `${parsed.host}${parsed.pathname}`;
}

function text(status: number, message: string): Response {
  return new Response(message, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

function body(file: string, range?: { start: number; end: number }): ReadableStream<Uint8Array> {
  // Node's web stream and the DOM's are the same object at run time; only their types differ.
  return Readable.toWeb(fs.createReadStream(file, range)) as unknown as ReadableStream<Uint8Array>;
}

/**
 * The handler of `tempo-media:` requests for `engine`'s library: 200 with the whole file,
 * 206 with `content-range` for one satisfiable byte range, 416 for an unsatisfiable one,
 * 404 for any path that is not media of a recording in the library.
 */
export function mediaProtocolHandler(engine: Engine): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'media is GET only');
    const mediaPath = mediaPathOf(request.url);
    if (mediaPath === null) return text(404, 'no such media');
    let resolved: { file: string; type: string };
    try {
      resolved = await resolveMedia(engine, mediaPath);
    } catch (error) {
      if (error instanceof MediaRouteError) return text(error.status, error.message);
      return text(500, (error as Error)?.message?.split('\n')[0] ?? 'media failed');
    }
    let size: number;
    try {
      const stat = fs.statSync(resolved.file);
      if (!stat.isFile()) return text(404, 'no such media');
      size = stat.size;
    } catch {
      return text(404, 'the file is gone from disk');
    }
    const headers: Record<string, string> = {
      'content-type': resolved.type,
      'accept-ranges': 'bytes',
      'cache-control': 'no-cache',
    };
    const head = request.method === 'HEAD';
    const range = byteRange(request.headers.get('range'), size);
    if (range === 'bad') {
      return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } });
    }
    if (range) {
      const { start, end } = range;
      return new Response(head ? null : body(resolved.file, range), {
        status: 206,
        headers: {
          ...headers,
          'content-range': `bytes ${start}-${end}/${size}`,
          'content-length': String(end - start + 1),
        },
      });
    }
    return new Response(head ? null : body(resolved.file), {
      status: 200,
      headers: { ...headers, 'content-length': String(size) },
    });
  };
}
