import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../../fixtures/make-video.js';
import { TEMPO, stderrLines, tempHome, tempo, tempoJson } from '../../support/tempo-cli.js';

interface ImportDoc {
  imported: {
    id: number;
    path: string;
    durationS: number;
    fps: number;
    width: number;
    height: number;
    codec: string;
  }[];
  skipped: { path: string; reason: string }[];
}
interface ListDoc {
  recordings: { id: number; path: string; durationS: number; scan: string; posterPath: string | null }[];
}

let clipA: string;
let clipB: string;
let folder: string;

beforeAll(async () => {
  clipA = await makeVideo({
    durationS: 6,
    width: 320,
    height: 180,
    events: [{ kind: 'box', from: 2, to: 4, x: 40, y: 40, w: 60, h: 60, color: 'white' }],
  });
  clipB = await makeVideo({ durationS: 4, width: 320, height: 180, fps: 30, background: '0x203040' });
  // A folder as an operator's export looks: nested, with videos, junk and a broken file.
  folder = fs.mkdtempSync(path.join(tempHome(), 'cams-'));
  fs.mkdirSync(path.join(folder, 'cam1', 'day2'), { recursive: true });
  fs.copyFileSync(clipA, path.join(folder, 'cam1', 'a.mp4'));
  fs.copyFileSync(clipB, path.join(folder, 'cam1', 'day2', 'b.MP4'));
  fs.writeFileSync(path.join(folder, 'notes.txt'), 'not a video');
  fs.writeFileSync(path.join(folder, 'cam1', 'empty.mp4'), '');
  const whole = fs.readFileSync(clipB);
  fs.writeFileSync(path.join(folder, 'cam1', 'cut.mp4'), whole.subarray(0, Math.floor(whole.length / 2)));
});

describe('tempo import', () => {
  it('imports a folder recursively, skips bad files with a reason and keeps the rest', async () => {
    const home = tempHome();
    const { doc } = await tempoJson<ImportDoc>(home, ['import', folder]);
    expect(doc.imported.map((r) => path.relative(folder, r.path)).sort()).toEqual(['cam1/a.mp4', 'cam1/day2/b.MP4']);
    const a = doc.imported.find((r) => r.path.endsWith('a.mp4'));
    expect(a).toMatchObject({ width: 320, height: 180, codec: 'h264', fps: 25 });
    expect(a?.durationS).toBeCloseTo(6, 0);
    expect(doc.imported.find((r) => r.path.endsWith('b.MP4'))?.fps).toBe(30);
    const reasons = Object.fromEntries(doc.skipped.map((s) => [path.relative(folder, s.path), s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['cam1/cut.mp4', 'cam1/empty.mp4']);
    expect(reasons['cam1/empty.mp4']).toBe('empty file');
    expect(reasons['cam1/cut.mp4']).toMatch(/truncated/);

    const list = await tempoJson<ListDoc>(home, ['list']);
    expect(list.doc.recordings).toHaveLength(2);
    for (const r of list.doc.recordings) {
      expect(r.scan).toBe('none');
      expect(fs.statSync(r.posterPath ?? '').size).toBeGreaterThan(500);
    }
  });

  it('skips a file already in the library, by path and by content', async () => {
    const home = tempHome();
    const first = await tempoJson<ImportDoc>(home, ['import', clipA]);
    expect(first.doc.imported).toHaveLength(1);
    const copy = path.join(tempHome(), 'copy.mp4');
    fs.copyFileSync(clipA, copy);
    const again = await tempoJson<ImportDoc>(home, ['import', clipA, copy, clipB]);
    expect(again.doc.imported.map((r) => r.path)).toEqual([clipB]);
    expect(again.doc.skipped).toEqual([
      { path: clipA, reason: `already in the library (id ${first.doc.imported[0]?.id})` },
      { path: copy, reason: `already in the library as ${clipA} (id ${first.doc.imported[0]?.id})` },
    ]);
    expect((await tempoJson<ListDoc>(home, ['list'])).doc.recordings).toHaveLength(2);
  });

  it('names a text file given on its own as not a video, exits 1, and writes nothing', async () => {
    const home = tempHome();
    const run = await tempo(home, ['--json', 'import', path.join(folder, 'notes.txt')]);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as ImportDoc;
    expect(doc.imported).toEqual([]);
    expect(doc.skipped[0]?.reason).toMatch(/not a video|unreadable/);
    expect((await tempoJson<ListDoc>(home, ['list'])).doc.recordings).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'posters'))).toEqual([]);
  });

  it('reports a missing path as skipped', async () => {
    const { doc } = await tempoJson<ImportDoc>(tempHome(), ['import', '/no/such/file.mp4', clipB]);
    expect(doc.skipped).toEqual([{ path: '/no/such/file.mp4', reason: 'no such file or folder' }]);
    expect(doc.imported).toHaveLength(1);
  });
});

describe('tempo command line', () => {
  it('exits 2 with one line on stderr for usage errors', async () => {
    const home = tempHome();
    for (const args of [
      ['frobnicate'],
      ['import'],
      ['scan'],
      ['scan', '77'],
      ['--bogus', 'list'],
      ['scan', '1', '--budget', 'lots'],
    ]) {
      const run = await tempo(home, args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(stderrLines(run), args.join(' ')).toHaveLength(1);
      expect(run.stderr).toMatch(/^tempo: /);
    }
  });

  it('prints help with exit 0', async () => {
    const run = await tempo(tempHome(), ['help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('tempo [--home DIR] [--json] COMMAND');
  });

  it('keeps its data in TEMPO_HOME when --home is absent', () => {
    const home = tempHome();
    const run = spawnSync(process.execPath, [TEMPO, '--json', 'list'], {
      env: { ...process.env, TEMPO_HOME: home },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ recordings: [] });
    expect(fs.existsSync(path.join(home, 'tempo.sqlite'))).toBe(true);
  });
});
