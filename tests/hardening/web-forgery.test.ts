/**
 * Request forgery from another port of 127.0.0.1, in Debian's Chromium (issue 11). The
 * operator has the product open (the printed address); in the same browser, a page served
 * by another local program (here a tiny http server on another port) tries what a probe
 * did: a form POST (text/plain) to settings.set, a fetch with credentials to query.run,
 * reading the api and the media with the operator's credentials, and framing the UI. Each
 * must fail, and the product's state must not change; the product itself keeps working.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../fixtures/make-video.js';
import { tempHome } from '../support/tempo-cli.js';
import { closeBrowser, launchBrowser } from '../e2e/harness.js';
import { until } from '../support/wait.js';
import { fakeModelServer, jobsSettled, startVictim, type FakeModelServer, type Victim } from './web-fixtures.js';

let victim: Victim;
let model: FakeModelServer;
let attacker: http.Server;
let attackerBase: string;
let context: BrowserContext;
let app: Page;
/** Cookie headers the attacker's server received from the browser. */
const cookiesAtAttacker: string[] = [];
/** What the browser's console said on the attacker's pages. */
const attackerConsole: string[] = [];

/** The attacker's pages: each runs its attempts and leaves what it got in window.results. */
function attackPage(victimBase: string, which: string): string {
  const V = JSON.stringify(victimBase);
  if (which === 'frame')
    return `<!doctype html><title>printer</title><iframe id="ui" src="${victimBase}/" width="800" height="600"></iframe>`;
  if (which === 'form')
    return `<!doctype html><title>printer</title>
<iframe name="sink" id="sink"></iframe>
<form id="f" method="POST" action="${victimBase}/api/settings.set" enctype="text/plain" target="sink">
<input type="hidden" name='{"serverUrl":"${attackerBase}/v1","confirmUrlChange":true,"reviewThreshold":0.01,"x":"' value='"}'>
</form>
<script>
window.results = null;
const sink = document.getElementById('sink');
// Done once the frame holds the answer (another origin's page, or the error page of a refused one).
sink.addEventListener('load', () => {
  try {
    void sink.contentWindow.location.href;
  } catch {
    window.results = 'submitted';
  }
});
setTimeout(() => (window.results ??= 'no answer'), 10000);
document.getElementById('f').submit();
</script>`;
  return `<!doctype html><title>printer</title><script>
(async () => {
  const V = ${V};
  const r = {};
  try {
    await fetch(V + '/api/query.run', { method: 'POST', mode: 'no-cors', credentials: 'include',
      headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ text: 'a white box', recordingIds: [] }) });
    r.queryRun = 'sent';
  } catch (e) { r.queryRun = 'error'; }
  for (const type of ['text/plain', 'application/json']) {
    try {
      const res = await fetch(V + '/api/library.list', { method: 'POST', credentials: 'include',
        headers: { 'content-type': type }, body: '{}' });
      r['api ' + type] = await res.text();
    } catch (e) { r['api ' + type] = 'error'; }
  }
  try { r.events = await (await fetch(V + '/api/events', { credentials: 'include' })).status; }
  catch (e) { r.events = 'error'; }
  r.poster = await new Promise((done) => {
    const img = new Image();
    img.onload = () => done('loaded ' + img.naturalWidth);
    img.onerror = () => done('error');
    img.src = V + '/media/poster/1';
  });
  r.video = await new Promise((done) => {
    const v = document.createElement('video');
    v.muted = true;
    v.onloadedmetadata = () => done('loaded ' + v.duration);
    v.onerror = () => done('error');
    v.src = V + '/media/recording/1';
    setTimeout(() => done('nothing'), 8000);
  });
  window.results = r;
})();
</script>`;
}

beforeAll(async () => {
  model = await fakeModelServer();
  const home = tempHome();
  const clip = await makeVideo({
    durationS: 6,
    width: 320,
    height: 180,
    events: [{ kind: 'box', from: 2, to: 4, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
  });
  const video = path.join(home, 'camera-1.mp4');
  fs.copyFileSync(clip, video);
  victim = await startVictim(home);
  expect((await victim.call('library.import', { paths: [video] })).status).toBe(200);
  // library.import answers at once with an 'import' job; the recording is in the library once it settles.
  await jobsSettled(victim);
  expect((await victim.call('settings.set', { serverUrl: model.url, confirmUrlChange: true })).status).toBe(200);

  attacker = http.createServer((req, res) => {
    cookiesAtAttacker.push(req.headers.cookie ?? '');
    const which = (req.url ?? '').replace(/^\/|\.html.*$/g, '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(attackPage(victim.base, which));
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
  attackerBase = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;

  context = await (await launchBrowser()).newContext({ viewport: { width: 1280, height: 860 } });
  // The operator opens the printed address: the product runs, its poster shows (a signed media URL).
  app = await context.newPage();
  await app.goto(victim.url);
  await until('the poster to show', async () =>
    (await app.evaluate(() => (document.querySelector('img') as HTMLImageElement | null)?.naturalWidth ?? 0)) > 0
      ? true
      : undefined,
  );
  expect(app.url()).not.toContain('token=');
});

afterAll(async () => {
  await context?.close();
  await closeBrowser();
  await victim?.stop();
  await model?.close();
  await new Promise((r) => attacker?.close(r));
});

async function attack(which: string): Promise<unknown> {
  const page = await context.newPage();
  page.on('console', (m) => attackerConsole.push(m.text()));
  try {
    await page.goto(`${attackerBase}/${which}.html`);
    if (which === 'frame') {
      await page.waitForTimeout(2000);
      const frame = await (await page.$('#ui'))!.contentFrame();
      return {
        url: frame?.url() ?? null,
        views: frame ? await frame.evaluate(() => document.querySelectorAll('nav button').length).catch(() => -1) : -1,
      };
    }
    await expect
      .poll(() => page.evaluate(() => (window as { results?: unknown }).results ?? null), { timeout: 30_000 })
      .not.toBeNull();
    return await page.evaluate(() => (window as { results?: unknown }).results);
  } finally {
    await page.close();
  }
}

describe('a page on another port of 127.0.0.1', () => {
  it('cannot change settings with a form POST (text/plain)', async () => {
    const before = (await victim.call<{ settings: unknown }>('settings.get')).body.settings;
    expect(await attack('form')).toBe('submitted');
    await new Promise((r) => setTimeout(r, 500));
    expect((await victim.call<{ settings: unknown }>('settings.get')).body.settings).toEqual(before);
  });

  it('cannot start a query, read the api or load the media with the operator credentials', async () => {
    const results = (await attack('reads')) as Record<string, string>;
    expect(results['api text/plain']).toBe('error');
    expect(results['api application/json']).toBe('error');
    expect(results.events).toBe('error');
    expect(results.poster).toBe('error');
    expect(results.video).not.toMatch(/^loaded/);
    await jobsSettled(victim);
    expect((await victim.call<{ queries: unknown[] }>('query.list')).body.queries).toEqual([]);
    // No frame went to the model server: no chat request at all.
    expect(model.seen.filter((s) => s.path.endsWith('/chat/completions'))).toEqual([]);
  });

  it('receives no credential of the product (cookies are not separated by port)', async () => {
    expect(cookiesAtAttacker.length).toBeGreaterThan(0);
    for (const cookie of cookiesAtAttacker) expect(cookie).not.toContain(victim.token);
  });

  it('cannot frame the UI', async () => {
    const framed = (await attack('frame')) as { url: string | null; views: number };
    expect(framed.views).toBeLessThanOrEqual(0);
    expect(framed.url).not.toBe(`${victim.base}/`);
  });

  it('leaves the product working for the operator', async () => {
    await app.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Query' }).click();
    await app.getByLabel('Query', { exact: true }).fill('a white box');
    await app.getByRole('button', { name: 'Find' }).click();
    await expect
      .poll(() => model.seen.filter((s) => s.path.endsWith('/chat/completions')).length, { timeout: 60_000 })
      .toBeGreaterThan(0);
    await jobsSettled(victim);
    expect((await victim.call<{ queries: unknown[] }>('query.list')).body.queries).toHaveLength(1);
  });
});
