import { createHmac } from 'node:crypto';
import type http from 'node:http';
import { MEDIA_KEY_LABEL } from '../../src-shared/media-url.js';
import { appCsp } from '../http/csp.js';
import { sameSecret } from '../http/token.js';

/**
 * What web mode checks besides the token: that a state-changing request comes from the
 * product's own page (not from another page on another port of 127.0.0.1, which the browser
 * counts as the same site), and the signed media URLs a <video> or <img> can load without a
 * header. Kept apart from the server so each rule can be read, and tested, on its own.
 */

/** Content-Security-Policy of the served app: its own scripts, styles, media and API only; never framed. */
export const APP_CSP = appCsp({ forbidFraming: true });

/** Headers on every answer: not framed, not sniffed, no Referer (the first address carries the token), not embedded elsewhere. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': APP_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

/** The origins of this server's own page: the address it prints, and the same port as localhost. */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/**
 * Why a state-changing request is refused (null: allowed). A browser names the page that sent
 * a request in Origin (or, when it leaves Origin out, says in Sec-Fetch-Site whether it was
 * the page's own origin); a request from any other origin is refused, whatever it carries.
 * Clients other than browsers send neither header and are judged by their token alone.
 */
export function forgeryCheck(req: http.IncomingMessage, port: number): string | null {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    return ownOrigins(port).includes(origin) ? null : `requests from ${oneToken(origin)} are refused`;
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return `requests from another ${site === 'same-site' ? 'port or site' : 'site'} are refused`;
  return null;
}

/** True for `application/json`, with or without parameters (charset). */
export function isJsonType(header: string | undefined): boolean {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function oneToken(s: string): string {
  return s.slice(0, 100).replace(/[^\x21-\x7e]/g, '?');
}

/** The longest a media link may be valid for, from now. */
export const MEDIA_MAX_LIFETIME_S = 24 * 3600;

/**
 * Signed media URLs: a <video> or <img> cannot send an Authorization header, so the page adds
 * `?exp=<unix seconds>&sig=<base64url HMAC-SHA256(key, "<recordingId>.<exp>")>` to each media
 * address, where key = mediaKey(token) = HMAC-SHA256(token, MEDIA_KEY_LABEL) (src-shared/media-url.ts):
 * a link opens one recording's media (its file, poster and stills) until it expires, and no
 * other. The renderer computes the same (src-renderer/src/lib/client.ts signMedia).
 */
export function mediaKey(token: string): Buffer {
  return createHmac('sha256', token).update(MEDIA_KEY_LABEL).digest();
}

export function mediaSignature(key: Buffer, recordingId: string, exp: number): string {
  return createHmac('sha256', key).update(`${recordingId}.${exp}`).digest('base64url');
}

/** 'ok', or why a signed media URL is refused: no signature, a wrong one, or an expired one. */
export function checkMediaSignature(
  key: Buffer,
  recordingId: string | undefined,
  url: URL,
  nowS = Math.floor(Date.now() / 1000),
): 'ok' | 'missing' | 'bad' | 'expired' {
  const sig = url.searchParams.get('sig');
  const expText = url.searchParams.get('exp');
  if (sig === null && expText === null) return 'missing';
  if (!sig || !expText || !/^\d{1,12}$/.test(expText) || !/^\d{1,15}$/.test(recordingId ?? '')) return 'bad';
  const exp = Number(expText);
  const expected = mediaSignature(key, recordingId as string, exp);
  if (!sameSecret(sig, expected)) return 'bad';
  if (exp <= nowS || exp > nowS + MEDIA_MAX_LIFETIME_S) return 'expired';
  return 'ok';
}
