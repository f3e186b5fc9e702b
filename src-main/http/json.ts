/** JSON answers of the HTTP shells: a value, or an error in the shape each server speaks. */
import type http from 'node:http';
import { oneLine } from '../engine/api/call-error.js';
import { statusOf } from './errors.js';

/** Sends `body` as JSON with `status`; never cached. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/**
 * Answers a request that failed with `error`: its status (statusOf) and the JSON body
 * `shape` makes of the status and the message's first line. When the answer had begun
 * already, the connection is cut instead so the client cannot take a half answer as whole.
 */
export function sendError(
  res: http.ServerResponse,
  error: unknown,
  shape: (status: number, message: string) => unknown,
): void {
  if (res.headersSent || res.destroyed) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  const status = statusOf(error);
  sendJson(res, status, shape(status, oneLine(error)));
}
