/**
 * The `tempo-media:` protocol of the window: library media only, resolved by the engine's
 * `resolveMedia` (the module web mode's /media/ route uses) and streamed with byte ranges so
 * a <video> can seek. Anything else is refused. The handler is a plain
 * `(Request) => Promise<Response>`, what Electron's `protocol.handle` takes, so it is tested
 * under plain Node.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { MEDIA_SCHEME } from '../../src-shared/media-url.js';
import { oneLine } from '../engine/api/call-error.js';
import { resolveMedia } from '../engine/api/media.js';
import type { Engine } from '../engine/engine.js';
import { statusOf } from '../http/errors.js';
import { rangedAnswer, type ByteRange } from '../http/ranges.js';

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

function body(file: string, range?: ByteRange): ReadableStream<Uint8Array> {
  // Node's web stream and the DOM's are the same object at run time; only their types differ.
  return Readable.toWeb(fs.createReadStream(file, range)) as unknown as ReadableStream<Uint8Array>;
}

/** The library file behind a `tempo-media:` URL and its size, or the Response that refuses it. */
async function mediaFile(
  engine: Engine,
  url: string,
): Promise<{ file: string; type: string; size: number } | Response> {
  const mediaPath = mediaPathOf(url);
  if (mediaPath === null) return text(404, 'no such media');
  let resolved: { file: string; type: string };
  try {
    resolved = await resolveMedia(engine, mediaPath);
  } catch (error) {
    return text(statusOf(error), oneLine(error));
  }
  try {
    const stat = fs.statSync(resolved.file);
    if (!stat.isFile()) return text(404, 'no such media');
    return { ...resolved, size: stat.size };
  } catch {
    return text(404, 'the file is gone from disk');
  }
}

/**
 * The handler of `tempo-media:` requests for `engine`'s library: 200 with the whole file,
 * 206 with `content-range` for one satisfiable byte range, 416 for an unsatisfiable one,
 * 404 for any path that is not media of a recording in the library.
 */
export function mediaProtocolHandler(engine: Engine): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'media is GET only');
    const found = await mediaFile(engine, request.url);
    if (found instanceof Response) return found;
    const answer = rangedAnswer(request.headers.get('range'), found.size);
    const headers = {
      'content-type': found.type,
      'accept-ranges': 'bytes',
      'cache-control': 'no-cache',
      ...answer.headers,
    };
    const send = request.method !== 'HEAD' && answer.status !== 416;
    return new Response(send ? body(found.file, answer.range) : null, { status: answer.status, headers });
  };
}
