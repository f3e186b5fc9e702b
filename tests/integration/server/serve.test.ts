/**
 * `tempo serve` (web mode) as a client sees it: the token, the host check, the api over HTTP
 * with server-sent events, jobs run by the worker thread, and media streamed only for
 * recordings in the library. Real ffmpeg, real SQLite, the tiny parrot model.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutput, EngineEvent } from '../../../src-shared/api.js';
import type { ImportResult } from '../../../src-shared/recordings.js';
import { makeTinyQwen2VL } from '../../fixtures/tiny-qwen2vl/generate.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { startServer, tempHome } from '../../support/tempo-cli.js';

const TOKEN = 'serve-test-token-0123456789abcdef';
let home: string;
let base: string;
let server: Awaited<ReturnType<typeof startServer<{ url: string; port: number }>>>;
let clip: string;
const events: EngineEvent[] = [];
let stream: http.ClientRequest;

beforeAll(async () => {
  home = tempHome();
  const renderer = path.join(home, 'renderer');
  fs.mkdirSync(renderer);
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Tempo Review</title>');
  await makeTinyQwen2VL(path.join(home, 'models', 'parrot'), { contextTokens: 512, answer: '2-5' });
  clip = await makeVideo({
    durationS: 10,
    width: 320,
    height: 180,
    events: [{ kind: 'box', from: 2.2, to: 5.4, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
  });
  server = await startServer(home, ['serve', '--port', '0', '--token', TOKEN], { TEMPO_RENDERER_DIR: renderer });
  base = `http://127.0.0.1:${server.info.port}`;
  stream = http.get(`${base}/api/events`, { headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
    let buf = '';
    res.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)) as EngineEvent);
      }
    });
  });
  stream.on('error', () => undefined);
});

afterAll(async () => {
  stream?.destroy();
  server?.child.kill('SIGTERM');
  await server?.done;
});

async function call<T = unknown>(name: string, input: unknown = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/api/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Imports as the page does: library.import starts an 'import' job, whose result is the ImportResult. */
async function importPaths(paths: string[]): Promise<ImportResult> {
  const { status, body } = await call<CallOutput<'library.import'>>('library.import', { paths });
  expect(status).toBe(200);
  const ended = await until('import job to end', () =>
    events.find(
      (e) =>
        e.kind === 'job-updated' && e.job.id === body.job.id && ['done', 'failed', 'cancelled'].includes(e.job.state),
    ),
  );
  expect(ended.kind === 'job-updated' && ended.job).toMatchObject({ type: 'import', state: 'done' });
  return (ended.kind === 'job-updated' ? ended.job.result : null) as ImportResult;
}

describe('tempo serve', () => {
  it('prints a 127.0.0.1 URL with the token, and turns away requests without it', async () => {
    expect(server.info.url).toBe(`${base}/?token=${TOKEN}`);
    expect((await fetch(`${base}/api/library.list`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}/api/events`)).status).toBe(401);
    expect((await fetch(`${base}/media/recording/1`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    const page = await fetch(server.info.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Tempo Review');
    // No cookie: the browser would send it to every port of 127.0.0.1. The page keeps the token.
    expect(page.headers.get('set-cookie')).toBeNull();
    // The app's files hold no data: a reload (its address no longer has the token) still gets them.
    expect((await fetch(`${base}/`)).status).toBe(200);
    const cookie = `tempo_token=${TOKEN}`;
    expect((await fetch(`${base}/api/library.list`, { method: 'POST', headers: { cookie } })).status).toBe(401);
  });

  it('refuses another Host (DNS rebinding) and paths outside the renderer', async () => {
    const status = (p: string, headers: Record<string, string>) =>
      new Promise<number>((resolve) =>
        http.get(`${base}${p}`, { headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }),
      );
    expect(await status('/', { host: 'evil.example:80', authorization: `Bearer ${TOKEN}` })).toBe(421);
    expect(await status('/..%2F..%2Fetc%2Fpasswd', { authorization: `Bearer ${TOKEN}` })).toBe(404);
  });

  it('imports, reports a bad file in the result, and says which call or field is wrong', async () => {
    const text = path.join(home, 'notes.txt');
    fs.writeFileSync(text, 'not a video');
    const result = await importPaths([clip, text]);
    expect(result.imported).toHaveLength(1);
    expect(result.skipped[0]).toMatchObject({ path: text });
    expect((await call('library.import', { paths: [] })).status).toBe(400);
    expect((await call<{ error: string }>('library.nope')).body.error).toMatch(/no call named 'library.nope'/);
    expect(events.some((e) => e.kind === 'library-changed')).toBe(true);
  });

  it('scans in the worker and streams the job to done as events', async () => {
    const { body } = await call<CallOutput<'library.scan'>>('library.scan', { recordingId: 1 });
    const done = await until('scan done event', () =>
      events.find((e) => e.kind === 'job-updated' && e.job.id === body.job.id && e.job.state === 'done'),
    );
    // The one scan job asked for, of recording 1, finished once, with nothing left to report.
    expect(done).toMatchObject({
      kind: 'job-updated',
      job: {
        id: body.job.id,
        type: 'scan',
        state: 'done',
        progress: 1,
        attempts: 1,
        error: null,
        recordingId: 1,
        cancelRequested: false,
      },
    });
    const list = await call<CallOutput<'library.list'>>('library.list');
    expect(list.body.recordings[0]?.scan).toBe('done');
  });

  it('runs a query, then takes verdicts, each stored at once', async () => {
    const run = await call<CallOutput<'query.run'>>('query.run', { text: 'a white box appears', recordingIds: [] });
    expect(run.status).toBe(200);
    const queryId = run.body.query.id;
    const results = await until('query results', async () => {
      const r = await call<CallOutput<'query.results'>>('query.results', { queryId });
      return r.body.runs.every((x) => x.state === 'done') && r.body.runs.length === 1 ? r.body : undefined;
    });
    expect(results.segments).toHaveLength(1);
    const seg = results.segments[0]!;
    expect(seg).toMatchObject({ recordingId: 1, state: 'pending', source: 'model' });
    expect(results.runs[0]!.relevance.length).toBeGreaterThan(0);

    expect((await call('review.accept', { segmentId: seg.id })).body).toMatchObject({ segment: { state: 'accepted' } });
    const adjusted = await call('review.adjust', { segmentId: seg.id, startS: 2, endS: 6 });
    expect(adjusted.body).toMatchObject({ segment: { state: 'adjusted', startS: 2, endS: 6 } });
    const bad = await call<{ error: string }>('review.adjust', { segmentId: seg.id, startS: 6, endS: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/must come after the start/);
    const clientId = 'serve-test-page';
    const added = await call<CallOutput<'review.add'>>('review.add', {
      queryId,
      recordingId: 1,
      startS: 7,
      endS: 9,
      clientId,
    });
    expect(added.body.segment).toMatchObject({ source: 'operator', state: 'accepted' });
    expect((await call('review.undo', { clientId })).body).toMatchObject({ removed: added.body.segment.id });
    const queue = await call<CallOutput<'review.queue'>>('review.queue', { queryId });
    expect(queue.body.segments.map((s) => s.state)).toEqual(['adjusted']);
    expect(events.some((e) => e.kind === 'segment-updated' && e.segment.id === seg.id)).toBe(true);
  });

  it('says a missing model or a stopped model server in one message, and keeps serving', async () => {
    expect((await call('settings.set', { model: 'nope' })).body).toMatchObject({ usage: true });
    await call('settings.set', { serverUrl: 'http://127.0.0.1:9/v1', confirmUrlChange: true });
    const down = await call<{ error: string }>('query.run', { text: 'a box', recordingIds: [] });
    expect(down.status).toBe(400);
    expect(down.body.error).toMatch(/model server http:\/\/127\.0\.0\.1:9\/v1 is not reachable/);
    await call('settings.set', { serverUrl: null });
    expect((await call('library.list')).status).toBe(200);
  });

  it('streams a library recording with byte ranges, and nothing else', async () => {
    const size = fs.statSync(clip).size;
    const ranged = await fetch(`${base}/media/recording/1`, {
      headers: { authorization: `Bearer ${TOKEN}`, range: 'bytes=100-199' },
    });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 100-199/${size}`);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${base}/media/recording/99`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/media/recording/..%2F..%2Fetc%2Fpasswd`, { headers: auth })).status).toBe(404);
    const thumb = await fetch(`${base}/media/thumb/1/3.5`, { headers: auth });
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const detail = await call<CallOutput<'recording.detail'>>('recording.detail', { recordingId: 1 });
    expect(detail.body).toMatchObject({ playable: true, mediaPath: 'recording/1', previewJob: null });
    expect(detail.body.activity.length).toBeGreaterThan(0);
  });

  it('makes a playable preview of a recording Chromium cannot play, in the background, with progress', async () => {
    const mjpeg = path.join(home, 'old-camera.avi');
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=160x120:rate=10:duration=3',
      '-c:v',
      'mjpeg',
      '-y',
      mjpeg,
    ]);
    const id = (await importPaths([mjpeg])).imported[0]!.id;
    const first = await call<CallOutput<'recording.detail'>>('recording.detail', { recordingId: id });
    expect(first.body.playable).toBe(false);
    expect(first.body.previewJob).toMatchObject({ type: 'preview' });
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${base}/media/recording/${id}`, { headers: auth })).status).toBe(409);
    const jobId = first.body.previewJob!.id;
    await until('preview done', () =>
      events.find((e) => e.kind === 'job-updated' && e.job.id === jobId && e.job.state === 'done'),
    );
    const after = await call<CallOutput<'recording.detail'>>('recording.detail', { recordingId: id });
    expect(after.body).toMatchObject({ playable: true, previewJob: null });
    const media = await fetch(`${base}/media/recording/${id}`, { headers: auth });
    expect(media.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await media.arrayBuffer());
    expect(bytes.subarray(4, 8).toString()).toBe('ftyp');
  });

  it('stops on SIGTERM', async () => {
    stream.destroy();
    server.child.kill('SIGTERM');
    expect((await server.done).code).toBe(0);
  });
});
