/**
 * Thumbnails probed as a busy result list asks for them: many requests at once, some for the
 * same still. Found: concurrent requests for one still shared one temporary file, so some got
 * 500 and the fallback wrote the frame at t=0 under the still's name, kept for good; stills
 * were kept for every 0.1 s in a thumbs/ folder outside the bounded cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMedia } from '../../src-main/engine/api/media.js';
import { importPaths } from '../../src-main/engine/api/import.js';
import { Engine } from '../../src-main/engine/engine.js';
import { extractFrames } from '../../src-main/engine/media/extract.js';
import { makeVideo } from '../fixtures/make-video.js';
import { meanAbsDiff as mad } from '../support/pixels.js';
import { removeTempDirs, tempHome } from '../support/temp.js';

let home: string;
let engine: Engine;
let clip: string;
let id: number;

beforeAll(async () => {
  // A white box crossing a dark scene at 50 px/s: every tenth of a second is a different picture.
  clip = await makeVideo({
    durationS: 6,
    width: 320,
    height: 180,
    background: '0x202020',
    noise: 0,
    events: [{ kind: 'mover', from: 0, to: 6, x0: 0, y: 50, w: 40, h: 80, speed: 50, color: 'white' }],
  });
  home = tempHome();
  engine = Engine.open(home);
  const imported = await importPaths(engine, [clip]);
  id = imported.imported[0]!.id;
});

afterAll(async () => {
  await engine.shutdown();
  removeTempDirs();
});

async function pixels(jpegFile: string): Promise<Uint8Array> {
  const { data, info } = await sharp(fs.readFileSync(jpegFile))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([320, 180]);
  return new Uint8Array(data);
}

describe('thumbnails asked for at once', () => {
  it('all succeed, each with its own frame, made once per still and kept in the bounded cache', async () => {
    const times = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.5, 4.0, 4.5, 5.0, 5.5];
    const asked = times.map((t) => resolveMedia(engine, `thumb/${id}/${t.toFixed(1)}`));
    const settled = await Promise.allSettled(asked);
    const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [`t=${times[i]}: ${String(s.reason)}`] : []));
    expect(failed).toEqual([]);
    const files = settled.map((s) => (s as PromiseFulfilledResult<{ file: string; type: string }>).value.file);

    const wanted = [0, ...new Set(times)];
    const direct = await extractFrames(
      clip,
      wanted.map((t) => ({ t, width: 320, height: 180 })),
      { sourceFps: 25 },
    );
    const decoded = new Map(direct.map((f) => [f.t, f.data]));
    for (const [i, t] of times.entries()) {
      const got = await pixels(files[i] as string);
      const own = mad(got, decoded.get(t) as Uint8Array);
      // The still is the frame at its time (JPEG noise only), not the first frame or a neighbour's.
      expect(own, `t=${t}`).toBeLessThan(4);
      for (const other of wanted) {
        if (other !== t) expect(mad(got, decoded.get(other) as Uint8Array), `t=${t} vs ${other}`).toBeGreaterThan(own);
      }
    }

    // Asked again (now from the cache), each still is the same file and still the right frame.
    const again = await resolveMedia(engine, `thumb/${id}/3.0`);
    expect(again.file).toBe(files[0]);
    expect(mad(await pixels(again.file), decoded.get(3) as Uint8Array)).toBeLessThan(4);
    // Kept in the bounded cache, not in an unbounded folder of their own; no temporary file left.
    for (const f of files) expect(f.startsWith(engine.paths.cache + path.sep)).toBe(true);
    expect(fs.existsSync(engine.paths.thumbs)).toBe(false);
    const all = fs.readdirSync(home, { recursive: true, encoding: 'utf8' });
    expect(all.filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('runs only a few ffmpeg children for stills at once', async () => {
    const { stillSlots, STILL_SLOTS } = await import('../../src-main/engine/media/limit.js');
    stillSlots.peak = 0;
    const times = Array.from({ length: 16 }, (_, i) => (0.2 + i * 0.3).toFixed(1));
    await Promise.all(times.map((t) => resolveMedia(engine, `thumb/${id}/${t}`)));
    expect(stillSlots.peak).toBeGreaterThan(0);
    expect(stillSlots.peak).toBeLessThanOrEqual(STILL_SLOTS);
  });
});
