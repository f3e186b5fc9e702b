import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src-shared/api.js';
import { httpClient } from '../../../src-renderer/src/lib/http-client.js';
import { mediaSigner } from '../../../src-renderer/src/lib/media-signer.js';
import { hmacSha256, sha256 } from '../../../src-renderer/src/lib/sha256.js';
import { checkMediaSignature, mediaKey } from '../../../src-main/server/web-security.js';

const settingsOut = {
  settings: DEFAULT_SETTINGS,
  dataFolder: '/home/op/.tempo',
};

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function web(fetch: typeof globalThis.fetch, token: string, now: () => number) {
  return httpClient({ fetch, token, now });
}

describe('signed media links', () => {
  it("signs media links the server takes: for that recording, until they expire, by the server's clock", async () => {
    const key = mediaKey('a-token');
    const sign = mediaSigner('a-token');
    const nowMs = 1_700_000_000_000;
    const { exp, sig } = sign('7', nowMs);
    const url = (id: string, q: string) => new URL(`http://h/media/poster/${id}?${q}`);
    expect(checkMediaSignature(key, '7', url('7', `exp=${exp}&sig=${sig}`), nowMs / 1000)).toBe('ok');
    expect(checkMediaSignature(key, '8', url('8', `exp=${exp}&sig=${sig}`), nowMs / 1000)).toBe('bad');
    expect(checkMediaSignature(key, '7', url('7', `exp=${exp + 3600}&sig=${sig}`), nowMs / 1000)).toBe('bad');
    expect(checkMediaSignature(mediaKey('other'), '7', url('7', `exp=${exp}&sig=${sig}`), nowMs / 1000)).toBe('bad');
    expect(checkMediaSignature(key, '7', url('7', `exp=${exp}&sig=${sig}`), exp + 1)).toBe('expired');
    expect(checkMediaSignature(key, '7', url('7', ''), nowMs / 1000)).toBe('missing');
    // The server's Date header moves the expiry: a window whose clock is a day behind still gets links that work.
    const behind = nowMs - 86_400_000;
    const fetch = vi.fn(async () => {
      const res = json(200, settingsOut);
      res.headers.set('date', new Date(nowMs).toUTCString());
      return res;
    });
    const client = web(fetch, 'a-token', () => behind);
    await client.call('settings.get', {});
    const link = new URL(client.mediaUrl('poster/7'), 'http://h');
    expect(checkMediaSignature(key, '7', link, nowMs / 1000)).toBe('ok');
  });

  it('computes SHA-256 and HMAC-SHA256 as node:crypto does', () => {
    const utf8 = new TextEncoder();
    for (const text of ['', 'abc', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'é'.repeat(1000)]) {
      expect(Buffer.from(sha256(utf8.encode(text))).toString('hex')).toBe(
        createHash('sha256').update(text).digest('hex'),
      );
    }
    for (const key of ['', 'k', 'k'.repeat(64), 'k'.repeat(65)]) {
      expect(Buffer.from(hmacSha256(utf8.encode(key), utf8.encode('message'))).toString('hex')).toBe(
        createHmac('sha256', key).update('message').digest('hex'),
      );
    }
  });
});
