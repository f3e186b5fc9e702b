/**
 * A nearly full disk, as a factory PC's small system disk gets. Found: the frame cache (4 GiB
 * by default) never looked at free space, filled the disk and starved the database's writes,
 * verdicts included; temporary files of failed writes and killed jobs stayed behind.
 * The disk is simulated (an injected statfs): the real one is never filled.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as diskCache from '../../src-main/engine/cache/disk-cache.js';
import { DiskCache } from '../../src-main/engine/cache/disk-cache.js';
import { makePreview } from '../../src-main/engine/media/preview.js';
import { makeVideo } from '../fixtures/make-video.js';
import { removeTempDirs, tempDir } from '../support/temp.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const tmp = (): string => tempDir('tempo-hard-disk-');
afterEach(removeTempDirs);

/** A disk of `sizeBytes` whose other files use `used()` bytes; the cache's own files count too. */
function fakeDisk(root: string, sizeBytes: number, used: () => number) {
  const cacheBytes = (): number =>
    fs.existsSync(root)
      ? fs
          .readdirSync(root, { recursive: true, encoding: 'utf8' })
          .map((f) => fs.statSync(path.join(root, f)))
          .filter((s) => s.isFile())
          .reduce((a, s) => a + s.size, 0)
      : 0;
  return async () => {
    const free = Math.max(0, sizeBytes - used() - cacheBytes());
    return { bsize: 4096, blocks: Math.floor(sizeBytes / 4096), bavail: Math.floor(free / 4096) };
  };
}

const entry = (n: number, v: number) => [new Uint8Array(n).fill(v)];

describe('the frame cache on a nearly full disk', () => {
  it('leaves the reserve free: drops its oldest entries first, then stops writing', async () => {
    const root = path.join(tmp(), 'cache');
    // A 100 MiB disk: the reserve is 5% of it (5 MiB), under 1 GiB. The database and others use 90 MiB.
    let used = 90 * MiB;
    const cache = new DiskCache(root, 4 * GiB, { statfs: fakeDisk(root, 100 * MiB, () => used) });
    const free = async () => {
      const s = await fakeDisk(root, 100 * MiB, () => used)();
      return s.bavail * s.bsize;
    };
    for (let i = 0; i < 4; i++) await cache.put(`k${i}`, entry(MiB, i));
    // 6 MiB free: one more MiB leaves exactly the reserve.
    await cache.put('k4', entry(MiB, 4));
    expect(await free()).toBe(5 * MiB);
    expect(await cache.get('k0')).not.toBeNull();
    // Another program writes 2 MiB: the cache gives way, its least recently used entries go.
    used += 2 * MiB;
    await cache.put('k5', entry(MiB, 5));
    expect(await free()).toBeGreaterThanOrEqual(5 * MiB);
    expect(await cache.get('k5')).not.toBeNull();
    expect(await cache.get('k0')).not.toBeNull(); // read above: recently used, so kept
    expect(await cache.get('k1')).toBeNull(); // the least recently used went
    expect(cache.stats.evicted).toBeGreaterThanOrEqual(1);
    // The disk fills up with other files: the cache empties itself and writes nothing more.
    used = 99 * MiB;
    expect(await cache.put('k6', entry(MiB, 6))).toBe(false);
    expect(await cache.get('k6')).toBeNull();
    expect(await cache.measure()).toBe(0);
    expect(cache.stats.skipped).toBe(1);
  });

  it('keeps 1 GiB or 5% of the disk, whichever is smaller; TEMPO_CACHE_RESERVE_MB overrides', () => {
    const { reserveBytesFor } = diskCache;
    expect(reserveBytesFor(2000 * GiB, {})).toBe(GiB);
    expect(reserveBytesFor(10 * GiB, {})).toBe(Math.floor(10 * GiB * 0.05));
    expect(reserveBytesFor(2000 * GiB, { TEMPO_CACHE_RESERVE_MB: '200' })).toBe(200 * MiB);
    expect(reserveBytesFor(2000 * GiB, { TEMPO_CACHE_RESERVE_MB: '0' })).toBe(0);
    expect(reserveBytesFor(2000 * GiB, { TEMPO_CACHE_RESERVE_MB: 'lots' })).toBe(GiB);
  });

  it('reads the reserve from TEMPO_CACHE_RESERVE_MB when made the way the engine makes it', async () => {
    const root = path.join(tmp(), 'cache');
    const before = process.env['TEMPO_CACHE_RESERVE_MB'];
    process.env['TEMPO_CACHE_RESERVE_MB'] = '50';
    try {
      // A 2 TB disk with 40 MiB free: plenty by 5%, but under the 50 MiB asked for.
      const cache = new DiskCache(root, 4 * GiB, {
        statfs: async () => ({ bsize: 4096, blocks: (2000 * GiB) / 4096, bavail: (40 * MiB) / 4096 }),
      });
      expect(await cache.put('k', entry(1024, 1))).toBe(false);
    } finally {
      if (before === undefined) delete process.env['TEMPO_CACHE_RESERVE_MB'];
      else process.env['TEMPO_CACHE_RESERVE_MB'] = before;
    }
  });

  it('a write that fails leaves no temporary file, and ones left by a dead process are swept', async () => {
    const root = path.join(tmp(), 'cache');
    const cache = new DiskCache(root, GiB, { reserveBytes: 0 });
    await cache.put('a', entry(10, 1));
    const [sub] = fs.readdirSync(root);
    // A stale temporary file from a process killed mid-write, an hour and more ago.
    const stale = path.join(root, sub as string, 'deadbeef.0123456789ab.tmp');
    fs.writeFileSync(stale, 'half an entry');
    const old = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(stale, old, old);
    // An entry whose place is taken by a folder cannot be renamed into place: the write fails.
    const taken = path.join(tmp(), 'cache2');
    const c2 = new DiskCache(taken, GiB, { reserveBytes: 0 });
    await c2.put('x', entry(10, 1));
    const [d2] = fs.readdirSync(taken);
    const [f2] = fs.readdirSync(path.join(taken, d2 as string));
    fs.rmSync(path.join(taken, d2 as string, f2 as string));
    fs.mkdirSync(path.join(taken, d2 as string, f2 as string, 'inside'), { recursive: true });
    await expect(c2.put('x', entry(10, 2))).rejects.toThrow();
    expect(fs.readdirSync(path.join(taken, d2 as string)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await cache.measure()).toBe(10);
    expect(fs.existsSync(stale)).toBe(false);
  });
});

describe('preview jobs', () => {
  it('a cancelled preview leaves nothing; temporary files of a killed process are removed', async () => {
    const clip = await makeVideo({ durationS: 120, width: 320, height: 180, background: 'pattern', noise: 3 });
    const dir = tmp();
    const out = path.join(dir, '7.mp4');
    // What a process killed mid-encode leaves: a temporary file named by its (dead) pid.
    const dead = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString();
    const left = `${out}.${dead}.0123456789ab.tmp.mp4`;
    fs.writeFileSync(left, 'half a preview');
    const ctl = new AbortController();
    let sawTemp = false;
    const run = makePreview(clip, out, {
      durationS: 120,
      fps: 25,
      codec: 'mpeg4',
      signal: ctl.signal,
      // Cancelled once it is under way, with its own temporary file written.
      onProgress: () => {
        sawTemp ||= fs.readdirSync(dir).some((f) => f.includes('.tmp'));
        if (sawTemp) ctl.abort();
      },
    });
    await expect(run).rejects.toThrow('cancelled');
    expect(sawTemp).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
