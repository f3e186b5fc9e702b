/**
 * Signed media links of web mode: <video> and <img> cannot send the bearer token, so each
 * link carries an expiry and a signature `tempo serve` checks (src-main/server/web-security.ts).
 */
import { MEDIA_KEY_LABEL } from '../../../src-shared/media-url.js';
import { hmacSha256 } from './sha256.js';

/** Media links last 12 to 13 hours: the expiry is a whole hour, so a link stays the same for an hour (and is cached). */
const MEDIA_LINK_HOURS = 13;

/**
 * Signs media links per recording: an expiry and
 * base64url(HMAC-SHA256(HMAC-SHA256(token, label), "<recordingId>.<exp>")), what `tempo serve`
 * checks. Computed here, synchronously, since a view builds its media URLs as it renders.
 */
export function mediaSigner(token: string): (recordingId: string, nowMs: number) => { exp: number; sig: string } {
  const utf8 = new TextEncoder();
  const key = hmacSha256(utf8.encode(token), utf8.encode(MEDIA_KEY_LABEL));
  const cache = new Map<string, string>();
  return (recordingId, nowMs) => {
    const exp = (Math.floor(nowMs / 3_600_000) + MEDIA_LINK_HOURS) * 3600;
    const message = `${recordingId}.${exp}`;
    let sig = cache.get(message);
    if (sig === undefined) {
      sig = base64url(hmacSha256(key, utf8.encode(message)));
      if (cache.size > 10_000) cache.clear();
      cache.set(message, sig);
    }
    return { exp, sig };
  };
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
