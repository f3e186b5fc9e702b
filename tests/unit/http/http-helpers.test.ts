/**
 * The HTTP helpers every shell shares (src-main/http): byte ranges, bearer tokens, bounded
 * bodies, error statuses and JSON errors, the one CSP; and toCallError, the one reading of a
 * failed call for both UI transports. Bodies and errors go through a real node:http server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCallError } from '../../../src-main/engine/api/call-error.js';
import { MediaRouteError } from '../../../src-main/engine/api/media.js';
import { JobFailedError, NotFoundError, UsageError } from '../../../src-main/engine/errors.js';
import { readBody } from '../../../src-main/http/body.js';
import { appCsp } from '../../../src-main/http/csp.js';
import { HttpError, statusOf } from '../../../src-main/http/errors.js';
import { sendError, sendJson } from '../../../src-main/http/json.js';
import { byteRange, rangedAnswer } from '../../../src-main/http/ranges.js';
import { hasBearer, sameSecret } from '../../../src-main/http/token.js';
import { APP_CSP } from '../../../src-main/server/web-security.js';

describe('byteRange and rangedAnswer', () => {
  it('reads one range, an open one and a suffix; the whole file without one', () => {
    expect(byteRange('bytes=100-1099', 5000)).toEqual({ start: 100, end: 1099 });
    expect(byteRange('bytes=4950-', 5000)).toEqual({ start: 4950, end: 4999 });
    expect(byteRange('bytes=-10', 5000)).toEqual({ start: 4990, end: 4999 });
    expect(byteRange('bytes=0-99999', 5000)).toEqual({ start: 0, end: 4999 });
    expect(byteRange(undefined, 5000)).toBeNull();
    expect(byteRange('bytes=1-2,5-6', 5000)).toBeNull();
    expect(byteRange('bytes=-', 5000)).toBeNull();
  });

  it('calls a range past the end, or backwards, unsatisfiable', () => {
    expect(byteRange('bytes=5000-', 5000)).toBe('bad');
    expect(byteRange('bytes=20-10', 5000)).toBe('bad');
    expect(byteRange('bytes=0-', 0)).toBe('bad');
  });

  it('answers 200, 206 or 416 with the matching headers', () => {
    expect(rangedAnswer(null, 5000)).toEqual({ status: 200, headers: { 'content-length': '5000' } });
    expect(rangedAnswer('bytes=100-1099', 5000)).toEqual({
      status: 206,
      headers: { 'content-range': 'bytes 100-1099/5000', 'content-length': '1000' },
      range: { start: 100, end: 1099 },
    });
    expect(rangedAnswer('bytes=5000-', 5000)).toEqual({ status: 416, headers: { 'content-range': 'bytes */5000' } });
  });
});

describe('tokens', () => {
  const req = (authorization?: string) => ({ headers: { authorization } }) as http.IncomingMessage;

  it('compares secrets of any length', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'abc')).toBe(false);
  });

  it('takes only `Bearer <token>` exactly', () => {
    expect(hasBearer(req('Bearer s3cret'), 's3cret')).toBe(true);
    expect(hasBearer(req('Bearer s3cret '), 's3cret')).toBe(false);
    expect(hasBearer(req('bearer s3cret'), 's3cret')).toBe(false);
    expect(hasBearer(req('s3cret'), 's3cret')).toBe(false);
    expect(hasBearer(req(), 's3cret')).toBe(false);
  });
});

describe('statusOf and toCallError', () => {
  it('maps engine errors to 400, 404 and 500, usage for the first two, on one line', () => {
    expect(toCallError(new UsageError('budget: must be positive\nmore'))).toEqual({
      error: 'budget: must be positive',
      usage: true,
      status: 400,
    });
    // The inputs an engine error names read as the workstation's labels.
    expect(toCallError(new UsageError('{samples} must be a whole number from 1 to 16')).error).toBe(
      'Samples (Settings) must be a whole number from 1 to 16',
    );
    expect(toCallError(new NotFoundError('no recording with id 9'))).toMatchObject({ usage: true, status: 404 });
    expect(toCallError(new JobFailedError('scan failed'))).toMatchObject({ usage: false, status: 500 });
    expect(toCallError('plain')).toEqual({ error: 'plain', usage: false, status: 500 });
  });

  it("keeps an HttpError's and a MediaRouteError's own status", () => {
    expect(statusOf(new HttpError(421, 'wrong host'))).toBe(421);
    expect(statusOf(new MediaRouteError(409, 'no preview yet'))).toBe(409);
    expect(statusOf(new UsageError('x'))).toBe(400);
    expect(statusOf(new Error('boom'))).toBe(500);
  });
});

describe('readBody, sendJson and sendError over node:http', () => {
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      readBody(req, 1024)
        .then((body) => sendJson(res, 200, { bytes: body.byteLength }))
        .catch((err: unknown) => sendError(res, err, (status, message) => ({ status, message })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reads a body up to the limit and answers JSON that is never cached', async () => {
    const res = await fetch(base, { method: 'POST', body: Buffer.alloc(1024) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ bytes: 1024 });
  });

  it('answers a larger body 413 in the shape asked for, and keeps serving', async () => {
    const res = await fetch(base, { method: 'POST', body: Buffer.alloc(4096) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ status: 413, message: 'the request body is larger than 1024 bytes' });
    expect((await fetch(base, { method: 'POST', body: 'x' })).status).toBe(200);
  });
});

describe('appCsp', () => {
  it("is web mode's header: nothing but the app itself, never framed", () => {
    expect(APP_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
        "media-src 'self' blob:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
        "base-uri 'none'; form-action 'none'; frame-src 'none'; frame-ancestors 'none'",
    );
  });

  it('adds a media scheme to images and media only, and additions to their directive', () => {
    const policy = appCsp({ mediaScheme: 'tempo-media', additions: { 'style-src': "'unsafe-inline'" } });
    expect(policy).toContain("img-src 'self' data: blob: tempo-media:;");
    expect(policy).toContain("media-src 'self' blob: tempo-media:;");
    expect(policy).toContain("style-src 'self' 'unsafe-inline';");
    expect(policy).not.toContain('frame-ancestors');
  });
});
