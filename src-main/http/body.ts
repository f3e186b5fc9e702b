/** Request bodies of the HTTP shells, read whole up to a limit. */
import type http from 'node:http';
import { HttpError } from './errors.js';

/** What is read and thrown away after a 413 so the client can read the answer; past it, the connection is closed. */
export const MAX_DISCARD = 64 * 1024 * 1024;

const MiB = 1024 * 1024;

function sizeText(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}

/**
 * Reads a request body of at most `limit` bytes. A larger one (declared or sent) is refused
 * with HttpError 413 at once; the rest of it is read and thrown away (up to MAX_DISCARD) so
 * the client gets the answer instead of a reset connection.
 */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => {
    req.removeAllListeners('data');
    let discarded = 0;
    req.on('data', (c: Buffer) => {
      discarded += c.byteLength;
      if (discarded > MAX_DISCARD) req.socket.destroy();
    });
    req.resume();
    return new HttpError(413, `the request body is larger than ${sizeText(limit)}`);
  };
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > limit) return reject(tooLarge());
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.byteLength;
      if (size > limit) reject(tooLarge());
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
