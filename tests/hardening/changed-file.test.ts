/**
 * A recording's file changed after import, as happens on a recorder's share: replaced by
 * another video under the same name, or imported while the recorder was still writing it.
 * Found: the library kept the old duration and metadata for good, scans (change points and
 * frame plans) of the old video went on being used, and a partly written file stayed at its
 * partial duration forever.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handle } from '../../src-main/engine/api/handlers.js';
import { importPaths } from '../../src-main/engine/api/import.js';
import { scanRecording } from '../../src-main/engine/api/scan.js';
import { cachedFrames } from '../../src-main/engine/cache/frames.js';
import { Engine } from '../../src-main/engine/engine.js';
import { GroundPayload, groundJobHandler } from '../../src-main/engine/jobs/ground-job.js';
import { extractFrames } from '../../src-main/engine/media/extract.js';
import { fingerprint } from '../../src-main/engine/media/files.js';
import { makeVideo } from '../fixtures/make-video.js';
import { FFMPEG } from '../support/ffmpeg.js';
import { meanAbsDiff as mad } from '../support/pixels.js';
import { removeTempDirs, tempDir, tempHome } from '../support/temp.js';
import { tempo } from '../support/tempo-cli.js';

let oldClip: string;
let newClip: string;
let home: string;
let dir: string;
let engine: Engine;

beforeAll(async () => {
  [oldClip, newClip] = await Promise.all([
    // 6 s, dark, a white box from 2 s to 4 s.
    makeVideo({
      durationS: 6,
      width: 320,
      height: 180,
      background: '0x202020',
      noise: 0,
      events: [{ kind: 'box', from: 2, to: 4, x: 0, y: 0, w: 160, h: 90, color: 'white' }],
    }),
    // 10 s of other content: light, smaller, a red box crossing it.
    makeVideo({
      durationS: 10,
      width: 256,
      height: 144,
      background: '0xc0c0c0',
      noise: 0,
      events: [{ kind: 'mover', from: 0, to: 10, x0: 0, y: 40, w: 40, h: 60, speed: 20, color: 'red' }],
    }),
  ]);
});

beforeEach(() => {
  home = tempHome();
  dir = tempDir('tempo-hard-share-');
  engine = Engine.open(home);
});

afterEach(async () => {
  await engine.shutdown();
  removeTempDirs();
});

/** Imports a copy of the 6 s clip and scans it; returns its id and path. */
async function importOld(): Promise<{ id: number; file: string }> {
  const file = path.join(dir, 'cam1.mp4');
  fs.copyFileSync(oldClip, file);
  const { imported } = await importPaths(engine, [file]);
  const id = imported[0]!.id;
  const rec = engine.recordings.get(id)!;
  expect(rec.durationS).toBeCloseTo(6, 0);
  await scanRecording(engine, rec);
  expect(engine.scans.latest(id)?.durationS).toBeCloseTo(6, 0);
  return { id, file };
}

/** Replaces the file with the 10 s clip (another inode, as a copy over the share does). */
function replace(file: string): void {
  fs.copyFileSync(newClip, `${file}.part`);
  fs.renameSync(`${file}.part`, file);
}

describe('a file replaced after import', () => {
  it('is read again on refresh: new duration, picture and fingerprint, old scans and frames unused', async () => {
    const { id, file } = await importOld();
    const oldFp = engine.recordings.fingerprint(id)!;
    const oldPoster = engine.recordings.get(id)!.posterPath!;
    const asks = [1, 3, 5].map((t) => ({ t, width: 112, height: 56 }));
    // Frames of the old video are in the cache under its fingerprint.
    await cachedFrames(engine.cache, { file, key: oldFp, sourceFps: 25 }, asks);

    replace(file);
    const out = (await handle(engine, 'library.refresh', {})) as {
      recordings: { recordingId: number; state: string; changes: string[] }[];
    };
    expect(out.recordings).toEqual([expect.objectContaining({ recordingId: id, state: 'changed' })]);
    expect(out.recordings[0]!.changes.join(', ')).toMatch(/duration 6\.0 s -> 10\.0 s.*picture 320x180 -> 256x144/);

    const rec = engine.recordings.get(id)!;
    expect(rec.durationS).toBeCloseTo(10, 0);
    expect([rec.width, rec.height]).toEqual([256, 144]);
    expect(engine.recordings.fingerprint(id)).toBe(fingerprint(newClip).fingerprint);
    expect(engine.recordings.fingerprint(id)).not.toBe(oldFp);
    // Change points and frame plans of the old video are gone; a new poster replaced the old one.
    expect(engine.scans.latest(id)).toBeUndefined();
    expect(rec.scan).toBe('none');
    expect(rec.posterPath).not.toBe(oldPoster);
    expect(fs.existsSync(rec.posterPath!)).toBe(true);
    expect(fs.existsSync(oldPoster)).toBe(false);

    // Frames now come from the new file: none is taken from the cache of the old one.
    const now = await cachedFrames(
      engine.cache,
      { file, key: engine.recordings.fingerprint(id)!, sourceFps: 25 },
      asks,
    );
    expect(now.hits).toBe(0);
    const direct = await extractFrames(newClip, asks, { sourceFps: 25 });
    const before = await extractFrames(oldClip, asks, { sourceFps: 25 });
    now.frames.forEach((f, i) => {
      expect(mad(f.data, direct[i]!.data)).toBeLessThan(1);
      expect(mad(f.data, before[i]!.data)).toBeGreaterThan(40);
    });

    // Asked again, nothing changed.
    const again = (await handle(engine, 'library.refresh', { recordingIds: [id] })) as {
      recordings: { state: string }[];
    };
    expect(again.recordings.map((r) => r.state)).toEqual(['unchanged']);
  });

  it.each([true, false])('is read again before a scan (force %s), which covers the whole new video', async (force) => {
    const { id, file } = await importOld();
    replace(file);
    // Without force too: the old content's stored scan is not handed back.
    const scan = await scanRecording(engine, engine.recordings.get(id)!, { force });
    expect(engine.recordings.get(id)!.durationS).toBeCloseTo(10, 0);
    expect(scan.durationS).toBeCloseTo(10, 0);
    expect(scan.frames.at(-1)!.t).toBeGreaterThan(6);
  });

  it('is read again before grounding: the old scan is not used as its frame plan', async () => {
    const { id, file } = await importOld();
    const oldScan = engine.scans.latest(id)!;
    replace(file);
    const ground = groundJobHandler({
      recordings: engine.recordings,
      scans: engine.scans,
      runs: engine.runs,
      serverTokens: new Map(),
    });
    const job = engine.jobs.enqueue('ground', {}, { recordingId: id });
    const payload = GroundPayload.parse({
      recordingId: id,
      query: 'a red box',
      target: { kind: 'local', modelDir: path.join(home, 'no-model'), device: 'cpu' },
      samples: 1,
      budgetTokens: oldScan.budgetTokens,
    });
    // No model here: the job stops at loading it, after it has looked at the file and planned.
    await expect(
      ground({ job: { ...job, payload }, payload, signal: new AbortController().signal, progress: () => undefined }),
    ).rejects.toThrow(/model/);
    expect(engine.recordings.get(id)!.durationS).toBeCloseTo(10, 0);
    expect(engine.scans.latest(id)).toBeUndefined();
  });

  it('says when the file is gone or no longer a video, and keeps what the library knew', async () => {
    const { id, file } = await importOld();
    fs.writeFileSync(file, 'not a video any more\n'.repeat(100));
    const bad = (await handle(engine, 'library.refresh', {})) as { recordings: { state: string; error: string }[] };
    expect(bad.recordings[0]).toMatchObject({ state: 'unreadable' });
    expect(engine.recordings.get(id)!.durationS).toBeCloseTo(6, 0);
    fs.rmSync(file);
    const gone = (await handle(engine, 'library.refresh', {})) as { recordings: { state: string; error: string }[] };
    expect(gone.recordings[0]).toMatchObject({ state: 'missing', error: 'the file is gone' });
  });
});

describe('a file imported while it was still being written', () => {
  it('reaches its full duration with tempo refresh, which prints what changed', async () => {
    // MPEG-TS, as recorders write it: a partly written file already plays.
    const full = path.join(dir, 'full.ts');
    execFileSync(FFMPEG, ['-nostdin', '-loglevel', 'error', '-y', '-i', newClip, '-c', 'copy', '-f', 'mpegts', full]);
    const bytes = fs.readFileSync(full);
    const file = path.join(dir, 'cam2.ts');
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.4) - (Math.floor(bytes.length * 0.4) % 188)));
    await engine.shutdown();

    const imported = await tempo(home, ['--json', 'import', file]);
    expect(imported.code, imported.stderr).toBe(0);
    const rec = (JSON.parse(imported.stdout) as { imported: { id: number; durationS: number }[] }).imported[0]!;
    expect(rec.durationS).toBeLessThan(6);

    // The recorder finishes the file.
    fs.appendFileSync(file, bytes.subarray(fs.statSync(file).size));
    const refreshed = await tempo(home, ['refresh']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(refreshed.stdout).toMatch(
      new RegExp(
        `changed\\s+${rec.id}\\s+${file.replace(/[.\\/]/g, '\\$&')}: new content, duration \\d+\\.\\d s -> 10\\.\\d s`,
      ),
    );
    expect(refreshed.stdout).toContain('1 changed, 0 unchanged');

    const listed = await tempo(home, ['--json', 'list']);
    const after = (JSON.parse(listed.stdout) as { recordings: { id: number; durationS: number }[] }).recordings;
    expect(after.find((r) => r.id === rec.id)!.durationS).toBeCloseTo(10, 0);
    engine = Engine.open(home);
  });
});
