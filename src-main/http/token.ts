/** Bearer tokens of the HTTP shells, compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares a presented secret with the expected one in constant time (whatever their lengths). */
export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The bearer of an Authorization header, if any. */
export function bearerOf(req: http.IncomingMessage): string | undefined {
  return /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
}

/** Whether `req` carries `Authorization: Bearer <token>`. */
export function hasBearer(req: http.IncomingMessage, token: string): boolean {
  const bearer = bearerOf(req);
  return bearer !== undefined && sameSecret(bearer, token);
}
