/**
 * Web mode over plain HTTP, as a probe found it (issue 11): state-changing calls only as
 * application/json from the product's own origin, the UI never framed, a malformed path a
 * 400, an oversized body a 413 the client can read, a `null` body refused, model server
 * URLs only http(s) and changed only with the operator's confirmation, and no short token.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTempo, tempHome } from '../support/tempo-cli.js';
import { startVictim, type Victim } from './web-fixtures.js';

let victim: Victim;

beforeAll(async () => {
  victim = await startVictim(tempHome());
});

afterAll(async () => {
  await victim?.stop();
});

/** One raw request (node's http, so nothing is normalised), with its status and body. */
function raw(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${victim.base}${path}`,
      { method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const serverUrl = async () =>
  (await victim.call<{ settings: { serverUrl: string | null } }>('settings.get')).body.settings.serverUrl;

describe('state-changing calls come only from the product itself', () => {
  const post = (headers: Record<string, string>, body = '{"reviewThreshold":0.9}') =>
    raw('/api/settings.set', {
      method: 'POST',
      headers: { authorization: `Bearer ${victim.token}`, 'content-type': 'application/json', ...headers },
      body,
    });

  it('refuses another origin (another port of 127.0.0.1 too) with 403 and one line, even with the token', async () => {
    for (const origin of ['http://127.0.0.1:18770', 'http://localhost:1', 'null', 'http://evil.example']) {
      const res = await post({ origin });
      expect(res.status, origin).toBe(403);
      expect(JSON.parse(res.body).error).toMatch(/^[^\n]*refused[^\n]*$/);
    }
    expect((await post({ origin: victim.base })).status).toBe(200);
    const threshold = await victim.call<{ settings: { reviewThreshold: number } }>('settings.get');
    expect(threshold.body.settings.reviewThreshold).toBe(0.9);
  });

  it('without Origin, takes only what the browser says is same-origin (or typed by the operator)', async () => {
    expect((await post({ 'sec-fetch-site': 'same-site' }, '{"samples":5}')).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site' }, '{"samples":5}')).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'same-origin' }, '{"samples":4}')).status).toBe(200);
    expect((await post({ 'sec-fetch-site': 'none' }, '{"samples":4}')).status).toBe(200);
    const s = await victim.call<{ settings: { samples: number } }>('settings.get');
    expect(s.body.settings.samples).toBe(4);
  });

  it('never parses a text/plain (form) body as JSON: 403', async () => {
    const form = '{"serverUrl":"http://127.0.0.1:18770/v1","confirmUrlChange":true,"x":"="}';
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      expect((await post({ 'content-type': type }, form)).status, type).toBe(403);
    }
    expect(
      (
        await raw('/api/settings.set', {
          method: 'POST',
          headers: { authorization: `Bearer ${victim.token}` },
          body: form,
        })
      ).status,
    ).toBe(403);
    expect(await serverUrl()).toBeNull();
  });

  it('answers 401 without the token, and takes no cookie for it', async () => {
    const headers = { 'content-type': 'application/json', cookie: `tempo_token=${victim.token}` };
    expect((await raw('/api/library.list', { method: 'POST', headers, body: '{}' })).status).toBe(401);
    expect((await raw('/api/events', { headers })).status).toBe(401);
    expect((await raw('/media/poster/1', { headers })).status).toBe(401);
  });
});

describe('the UI cannot be framed', () => {
  it('sends frame-ancestors none and X-Frame-Options DENY with the app, and a CSP of its own', async () => {
    const page = await raw('/');
    expect(page.status).toBe(200);
    expect(page.headers['x-frame-options']).toBe('DENY');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('small HTTP faults', () => {
  it('answers malformed percent-encoding with 400, not 500', async () => {
    const auth = { authorization: `Bearer ${victim.token}` };
    for (const path of ['/%E0%A4%A', '/assets/%zz.js', '/%']) {
      const res = await raw(path, { headers: auth });
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ usage: true });
    }
  });

  it('answers an oversized body with 413 the client can read, and keeps serving', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 0x20);
    const viaFetch = await fetch(`${victim.base}/api/library.list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${victim.token}`, 'content-type': 'application/json' },
      body: big,
    });
    expect(viaFetch.status).toBe(413);
    expect(((await viaFetch.json()) as { error: string }).error).toMatch(/larger than/);
    // Sent in chunks without a length: the answer comes all the same.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${victim.base}/api/library.list`,
        { method: 'POST', headers: { authorization: `Bearer ${victim.token}`, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 6; i++) req.write(Buffer.alloc(1024 * 1024, 0x20));
      req.end();
    });
    expect(chunked).toBe(413);
    expect((await victim.call('library.list')).status).toBe(200);
  });

  it('refuses a null (or non-object) JSON body with 400 instead of taking it as {}', async () => {
    const headers = { authorization: `Bearer ${victim.token}`, 'content-type': 'application/json' };
    for (const body of ['null', '[]', '3', '"x"']) {
      const res = await raw('/api/library.list', { method: 'POST', headers, body });
      expect(res.status, body).toBe(400);
      expect(JSON.parse(res.body).error).toMatch(/JSON object/);
    }
    expect((await raw('/api/library.list', { method: 'POST', headers, body: '' })).status).toBe(200);
  });
});

describe('the model server URL', () => {
  it('takes only http and https, with a one-line error', async () => {
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'ftp://127.0.0.1/v1', 'data:text/plain,x']) {
      const res = await victim.call<{ error: string; usage: boolean }>('settings.set', {
        serverUrl: url,
        confirmUrlChange: true,
      });
      expect(res.status, url).toBe(400);
      expect(res.body.error).not.toContain('\n');
      expect(await serverUrl()).toBeNull();
    }
  });

  it("changes only with the operator's confirmation", async () => {
    const a = 'http://127.0.0.1:9/v1';
    const refused = await victim.call<{ error: string }>('settings.set', { serverUrl: a });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/confirm/);
    expect(await serverUrl()).toBeNull();
    expect((await victim.call('settings.set', { serverUrl: a, confirmUrlChange: true })).status).toBe(200);
    expect(await serverUrl()).toBe(a);
    // Saving the same URL again (the form sends it with every save) and going back to the local model need no confirmation.
    expect((await victim.call('settings.set', { serverUrl: a, samples: 3 })).status).toBe(200);
    expect((await victim.call('settings.set', { serverUrl: null })).status).toBe(200);
    expect(await serverUrl()).toBeNull();
  });
});

describe('tempo serve --token', () => {
  it('refuses a token shorter than 32 characters (exit 2, one line); a random one is long enough', async () => {
    for (const token of ['short', 'x'.repeat(31)]) {
      const run = startTempo(tempHome(), ['serve', '--port', '0', '--token', token]);
      const timer = setTimeout(() => run.child.kill('SIGTERM'), 15_000);
      const done = await run.done;
      clearTimeout(timer);
      expect(done.code, token).toBe(2);
      expect(done.stderr.trim().split('\n')).toHaveLength(1);
      expect(done.stderr).toMatch(/--token must be at least 32 characters/);
    }
    expect(victim.token.length).toBeGreaterThanOrEqual(32);
  });
});
