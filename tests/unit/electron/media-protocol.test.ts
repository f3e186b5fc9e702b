/**
 * The tempo-media: protocol handler on a real engine: a recording imported from a clip that
 * ffmpeg encodes, streamed whole and by byte range; everything else refused. Plain Node:
 * the handler is what Electron's protocol.handle would call.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaPathOf, mediaProtocolHandler } from '../../../src-main/electron/media-protocol.js';
import { importPaths } from '../../../src-main/engine/api/import.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { makeVideo } from '../../fixtures/make-video.js';

let home: string;
/** A folder outside the data folder, with a copy of the clip that is not in the library. */
let elsewhere: string;
let engine: Engine;
let clip: string;
let bytes: Buffer;
let serve: (request: Request) => Promise<Response>;

const get = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
  serve(new Request(url, { method, headers }));

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-media-protocol-'));
  engine = Engine.open(home);
  const made = await makeVideo({ durationS: 3, width: 160, height: 90 });
  clip = path.join(home, 'camera.mp4');
  fs.copyFileSync(made, clip);
  bytes = fs.readFileSync(clip);
  elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-elsewhere-'));
  fs.copyFileSync(clip, path.join(elsewhere, 'not-imported.mp4'));
  const result = await importPaths(engine, [clip]);
  expect(result.imported.map((r) => r.id)).toEqual([1]);
  serve = mediaProtocolHandler(engine);
});

afterAll(async () => {
  await engine?.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(elsewhere, { recursive: true, force: true });
});

describe('mediaPathOf', () => {
  it('reads the media path from a tempo-media URL only', () => {
    expect(mediaPathOf('tempo-media://recording/3')).toBe('recording/3');
    expect(mediaPathOf('tempo-media://thumb/3/12.5')).toBe('thumb/3/12.5');
    expect(mediaPathOf('file:///etc/passwd')).toBeNull();
    expect(mediaPathOf('not a url')).toBeNull();
  });
});

describe('mediaProtocolHandler', () => {
  it('streams a library recording whole', async () => {
    const res = await get('tempo-media://recording/1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('answers a byte range with 206 and its content-range', async () => {
    const res = await get('tempo-media://recording/1', { range: 'bytes=100-1099' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-1099/${bytes.length}`);
    expect(res.headers.get('content-length')).toBe('1000');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(100, 1100))).toBe(true);
  });

  it('answers an open and a suffix range', async () => {
    const open = await get('tempo-media://recording/1', { range: `bytes=${bytes.length - 50}-` });
    expect(open.status).toBe(206);
    expect(Buffer.from(await open.arrayBuffer()).equals(bytes.subarray(bytes.length - 50))).toBe(true);
    const suffix = await get('tempo-media://recording/1', { range: 'bytes=-10' });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe(`bytes ${bytes.length - 10}-${bytes.length - 1}/${bytes.length}`);
    expect(Buffer.from(await suffix.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);
  });

  it('answers 416 for a range past the end', async () => {
    const res = await get('tempo-media://recording/1', { range: `bytes=${bytes.length}-` });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await get('tempo-media://recording/1', {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(res.body).toBeNull();
  });

  it("serves the recording's poster", async () => {
    const res = await get('tempo-media://poster/1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('refuses a recording that is not in the library', async () => {
    expect((await get('tempo-media://recording/2')).status).toBe(404);
    expect((await get('tempo-media://recording/0')).status).toBe(404);
    expect((await get('tempo-media://recording/x')).status).toBe(404);
  });

  it('refuses file paths, in the library or outside it', async () => {
    const outside = path.join(elsewhere, 'not-imported.mp4');
    for (const url of [
      `tempo-media://recording/${encodeURIComponent(outside)}`,
      `tempo-media://recording${outside}`,
      `tempo-media://${outside}`,
      `tempo-media:///${clip}`,
      'tempo-media:///etc/passwd',
      'tempo-media://recording/1/../../etc/passwd',
      'tempo-media://recording/1/extra',
      'tempo-media://file/1',
      `file://${clip}`,
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(await res.text(), url).not.toContain('ftyp');
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get('tempo-media://recording/1', {}, 'POST')).status).toBe(405);
  });
});
