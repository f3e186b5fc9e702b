import { readdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheBytesFromEnv, DEFAULT_CACHE_BYTES, DiskCache } from '../../../src-main/engine/cache/disk-cache.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const tmp = (): string => tempDir('tempo-cache-');
afterEach(removeTempDirs);

const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);

describe('DiskCache', () => {
  it('gives back what was put, and null for what was not', async () => {
    const c = new DiskCache(tmp(), 1024 * 1024);
    await c.put('a', [bytes(10, 1), bytes(5, 2)]);
    expect([...((await c.get('a')) ?? [])]).toEqual([...bytes(10, 1), ...bytes(5, 2)]);
    expect(await c.get('b')).toBeNull();
    expect(c.stats).toMatchObject({ hits: 1, misses: 1, writes: 1 });
  });

  it('stays under its bound by dropping the least recently used entries', async () => {
    const root = tmp();
    const c = new DiskCache(root, 1000);
    for (const k of ['k1', 'k2', 'k3']) await c.put(k, [bytes(300, 1)]);
    // Make k1 the oldest by time, then touch it with a read: k2 becomes the least recently used.
    const past = new Date(Date.now() - 60_000);
    const files = () =>
      readdirSync(root).flatMap((d) => readdirSync(path.join(root, d)).map((f) => path.join(root, d, f)));
    for (const f of files()) utimesSync(f, past, past);
    expect(await c.get('k1')).not.toBeNull();
    await c.put('k4', [bytes(300, 4)]);
    expect(await c.measure()).toBeLessThanOrEqual(900);
    expect(await c.get('k2')).toBeNull();
    expect(await c.get('k1')).not.toBeNull();
    expect(await c.get('k4')).not.toBeNull();
    expect(c.stats.evicted).toBeGreaterThanOrEqual(1);
  });

  it('never stores an entry larger than the whole bound', async () => {
    const c = new DiskCache(tmp(), 100);
    await c.put('big', [bytes(200, 1)]);
    expect(await c.get('big')).toBeNull();
  });

  it('reads its bound from TEMPO_CACHE_MB', () => {
    expect(cacheBytesFromEnv({ TEMPO_CACHE_MB: '10' })).toBe(10 * 1024 * 1024);
    expect(cacheBytesFromEnv({ TEMPO_CACHE_MB: '0' })).toBe(0);
    expect(cacheBytesFromEnv({})).toBe(DEFAULT_CACHE_BYTES);
    expect(cacheBytesFromEnv({ TEMPO_CACHE_MB: 'lots' })).toBe(DEFAULT_CACHE_BYTES);
  });
});
