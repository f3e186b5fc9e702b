import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFrames, resizeRgb } from '../../../src-main/engine/media/extract.js';
import { streamFrames } from '../../../src-main/engine/media/frames.js';
import { makePoster } from '../../../src-main/engine/media/poster.js';
import { makePreview } from '../../../src-main/engine/media/preview.js';
import { probeVideo } from '../../../src-main/engine/media/probe.js';
import { MediaError } from '../../../src-main/engine/media/tools.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { FFMPEG } from '../../support/ffmpeg.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

let clip: string;
afterAll(removeTempDirs);
beforeAll(async () => {
  // Dark grey scene; a white box covers the top-left quarter from 2 s to 4 s.
  clip = await makeVideo({
    durationS: 6,
    width: 320,
    height: 180,
    background: '0x202020',
    noise: 0,
    events: [{ kind: 'box', from: 2, to: 4, x: 0, y: 0, w: 160, h: 90, color: 'white' }],
  });
});

describe('probeVideo', () => {
  it('reads duration, frame rate, size and codec', async () => {
    const info = await probeVideo(clip);
    expect(info).toMatchObject({ fps: 25, width: 320, height: 180, codec: 'h264' });
    expect(info.durationS).toBeCloseTo(6, 1);
  });

  it('names what is wrong with a file that is not a video', async () => {
    const txt = path.join(tempDir('tempo-media-'), 'a.mp4');
    fs.writeFileSync(txt, 'hello, I am text pretending to be video\n'.repeat(50));
    await expect(probeVideo(txt)).rejects.toThrow(MediaError);
    await expect(probeVideo(txt)).rejects.toThrow(/not a video|unreadable/);
  });
});

describe('streamFrames', () => {
  it('streams grey frames at the asked rate and size, with the pixels of the scene', async () => {
    const means: number[] = [];
    for await (const f of streamFrames(clip, { fps: 4, width: 32, height: 18 })) {
      expect(f.data.length).toBe(32 * 18);
      expect(f.t).toBeCloseTo(f.index / 4, 6);
      // Mean of the top-left quarter, where the box appears.
      let sum = 0;
      for (let y = 0; y < 9; y++) for (let x = 0; x < 16; x++) sum += f.data[y * 32 + x] as number;
      means.push(sum / (9 * 16));
    }
    expect(means).toHaveLength(24);
    means.forEach((m, i) => {
      const t = i / 4;
      if (t >= 2.25 && t <= 3.75) expect(m, `t=${t}`).toBeGreaterThan(200);
      if (t <= 1.75 || t >= 4.25) expect(m, `t=${t}`).toBeLessThan(60);
    });
  });

  it('gives rgb24 frames too', async () => {
    let n = 0;
    for await (const f of streamFrames(clip, { fps: 1, width: 16, height: 8, pixelFormat: 'rgb24' })) {
      expect(f.data.length).toBe(16 * 8 * 3);
      n++;
    }
    expect(n).toBe(6);
  });

  it('stops ffmpeg when aborted and says it was cancelled', async () => {
    const ctl = new AbortController();
    let n = 0;
    const run = async (): Promise<void> => {
      for await (const _ of streamFrames(clip, { fps: 25, width: 32, height: 18, signal: ctl.signal })) {
        if (++n === 3) ctl.abort();
      }
    };
    await expect(run()).rejects.toThrow('cancelled');
    expect(n).toBeLessThan(150);
  });

  it('fails with one line on a file it cannot decode', async () => {
    const dir = tempDir('tempo-media-');
    const bad = path.join(dir, 'bad.mp4');
    fs.writeFileSync(bad, fs.readFileSync(clip).subarray(0, 2000));
    const run = async (): Promise<void> => {
      for await (const _ of streamFrames(bad, { fps: 4, width: 32, height: 18 })) {
        /* drain */
      }
    };
    await expect(run()).rejects.toThrow(/^ffmpeg (failed|produced no frames): [^\n]+$/);
  });
});

describe('makePoster', () => {
  it('writes a JPEG poster 320 px wide, atomically', async () => {
    const out = path.join(tempDir('tempo-poster-'), 'p.jpg');
    await makePoster(clip, out, 3);
    const bytes = fs.readFileSync(out);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(fs.readdirSync(path.dirname(out))).toEqual(['p.jpg']);
  });
});

describe('extractFrames', () => {
  it('decodes the frames nearest the asked times, each at its own size, in time order', async () => {
    const frames = await extractFrames(
      clip,
      [
        { t: 3.0, width: 56, height: 28 },
        { t: 1.0, width: 112, height: 56 },
        { t: 5.0, width: 112, height: 56 },
        { t: 3.02, width: 112, height: 56 },
      ],
      { sourceFps: 25 },
    );
    expect(frames.map((f) => [f.t, f.width, f.height, f.data.length])).toEqual([
      [1.0, 112, 56, 112 * 56 * 3],
      [3.0, 56, 28, 56 * 28 * 3],
      [3.02, 112, 56, 112 * 56 * 3],
      [5.0, 112, 56, 112 * 56 * 3],
    ]);
    // Red channel of the top-left pixel: the white box is there from 2 s to 4 s only.
    expect(frames.map((f) => (f.data[0] as number) > 200)).toEqual([false, true, true, false]);
  });

  it('decodes more frames than one select expression holds, in several passes, and repeats the last past the end', async () => {
    // Every source frame of the 6 s clip at 25 fps, and two past its end.
    const asked = Array.from({ length: 152 }, (_, i) => ({ t: i / 25, width: 32, height: 18 }));
    const frames = await extractFrames(clip, asked, { sourceFps: 25 });
    expect(frames.map((f) => f.t)).toEqual(asked.map((a) => a.t));
    const white = frames.map((f) => (f.data[0] as number) > 200);
    expect(white.indexOf(true)).toBe(50);
    // drawbox's between(t,2,4) includes both ends: frames 50 (2.00 s) to 100 (4.00 s).
    expect(white.lastIndexOf(true)).toBe(100);
    expect(frames[151]!.data).toEqual(frames[149]!.data);
  });

  it('averages areas when it shrinks a frame', () => {
    const src = new Uint8Array([0, 0, 0, 255, 255, 255, 100, 100, 100, 50, 50, 50]);
    expect([...resizeRgb(src, 2, 2, 1, 1)]).toEqual([101, 101, 101]);
  });
});

/** The same video remuxed into MPEG-TS, as recorders write it: its timestamps start near 1.4 s. */
function asTransportStream(mp4: string): string {
  const out = path.join(tempDir('tempo-ts-'), `${path.basename(mp4, '.mp4')}.ts`);
  execFileSync(FFMPEG, ['-nostdin', '-v', 'error', '-i', mp4, '-c', 'copy', '-f', 'mpegts', out]);
  return out;
}

describe('MPEG-TS recordings (timestamps not starting at 0, keyframes far apart)', () => {
  let ts: string;
  let longGop: string;
  beforeAll(async () => {
    ts = asTransportStream(clip);
    // One keyframe in 12 s: a seek into it lands where nothing decodes until the file ends.
    longGop = asTransportStream(
      await makeVideo({
        durationS: 12,
        width: 320,
        height: 180,
        background: '0x202020',
        noise: 0,
        gop: 1000,
        events: [{ kind: 'box', from: 5, to: 8, x: 0, y: 0, w: 160, h: 90, color: 'white' }],
      }),
    );
  });
  const white = (frames: { data: Uint8Array }[]) => frames.map((f) => (f.data[0] as number) > 200);

  it('probes where the timestamps start', async () => {
    expect((await probeVideo(ts)).startS).toBeGreaterThan(1);
    expect((await probeVideo(clip)).startS).toBe(0);
  });

  it('decodes the frames at times counted from the first frame, as in the MP4', async () => {
    const asked = [1, 3, 3.5, 5].map((t) => ({ t, width: 56, height: 28 }));
    const fromTs = await extractFrames(ts, asked, { sourceFps: 25 });
    expect(white(fromTs)).toEqual([false, true, true, false]);
    expect(fromTs.map((f) => [...f.data])).toEqual(
      (await extractFrames(clip, asked, { sourceFps: 25 })).map((f) => [...f.data]),
    );
  });

  it('decodes again from further back the frames a seek between keyframes lost', async () => {
    const frames = await extractFrames(
      longGop,
      [6, 7.5, 9, 10].map((t) => ({ t, width: 56, height: 28 })),
      { sourceFps: 25 },
    );
    expect(white(frames)).toEqual([true, true, false, false]);
  });

  it('makes a playable preview by copying the H.264 video into MP4, frames and times unchanged', async () => {
    const out = path.join(tempDir('tempo-preview-'), 'p.mp4');
    await makePreview(ts, out, { durationS: 6, fps: 25, codec: 'h264' });
    const info = await probeVideo(out);
    expect(info).toMatchObject({ codec: 'h264', fps: 25, startS: 0 });
    expect(info.durationS).toBeCloseTo(6, 1);
    // Decoded frame by frame, the preview is the recording itself: nothing was encoded again.
    const decoded = (file: string) =>
      execFileSync(FFMPEG, ['-nostdin', '-v', 'error', '-i', file, '-map', '0:v', '-f', 'framemd5', '-'])
        .toString()
        .split('\n')
        .filter((l) => /^\d/.test(l))
        .map((l) => l.split(',').at(-1)?.trim());
    expect(decoded(out)).toEqual(decoded(ts));
    expect(
      white(
        await extractFrames(
          out,
          [1, 3, 5].map((t) => ({ t, width: 56, height: 28 })),
          { sourceFps: 25 },
        ),
      ),
    ).toEqual([false, true, false]);
  });

  it('makes a poster even where a seek finds no keyframe before the end', async () => {
    const out = path.join(tempDir('tempo-poster-'), 'p.jpg');
    await makePoster(longGop, out, 1.2);
    expect(fs.readFileSync(out).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });
});
