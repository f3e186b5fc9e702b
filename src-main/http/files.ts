/** Files sent over node:http with byte ranges: the web server's app files and library media. */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { HttpError } from './errors.js';
import { rangedAnswer } from './ranges.js';

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

/**
 * Streams `file` (its type from `type` or its extension), honouring one byte range; HEAD gets
 * the headers only. HttpError 404 when the file is gone.
 */
export function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: string, type?: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new HttpError(404, 'the file is gone from disk');
  }
  const answer = rangedAnswer(req.headers.range, stat.size);
  if (answer.status === 416) {
    res.writeHead(416, answer.headers);
    res.end();
    return;
  }
  res.writeHead(answer.status, {
    'content-type': type ?? TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'no-cache',
    ...answer.headers,
  });
  if (req.method === 'HEAD') return void res.end();
  fs.createReadStream(file, answer.range).pipe(res);
}
