import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamicCache, Tensor } from '@huggingface/transformers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskCache } from '../../../src-main/engine/cache/disk-cache.js';
import { decodeCache, DiskPrefixCache, encodeCache } from '../../../src-main/engine/models/local/prefix-disk.js';

function cache(values: number[][], dims: number[][]): DynamicCache {
  const t = Object.fromEntries(
    values.map((v, i) => [`past_key_values.${i}.key`, new Tensor('float32', Float32Array.from(v), dims[i]!)]),
  );
  return new DynamicCache(t);
}

const tensors = (c: DynamicCache) => Object.entries(c) as [string, Tensor][];

describe('prefix KV caches on disk', () => {
  let root: string;
  beforeEach(async () => (root = await mkdtemp(path.join(os.tmpdir(), 'tempo-prefix-'))));
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('reads back what it wrote: names, types, shapes and values (odd lengths padded)', () => {
    const c = cache(
      [
        [1, 2, 3],
        [4.5, -6, 7, 8, 9],
      ],
      [
        [1, 1, 3, 1],
        [1, 1, 5, 1],
      ],
    );
    const back = decodeCache(Buffer.concat(encodeCache(c)))!;
    expect(tensors(back).map(([n, t]) => [n, t.type, t.dims, [...(t.data as Float32Array)]])).toEqual(
      tensors(c).map(([n, t]) => [n, t.type, t.dims, [...(t.data as Float32Array)]]),
    );
  });

  it('reads an entry that does not start on an aligned byte (copies it) and refuses a cut one', () => {
    const bytes = Buffer.concat(encodeCache(cache([[1, 2, 3, 4]], [[1, 4]])));
    const shifted = Buffer.alloc(bytes.length + 1);
    bytes.copy(shifted, 1);
    const back = decodeCache(shifted.subarray(1))!;
    expect([...(tensors(back)[0]![1].data as Float32Array)]).toEqual([1, 2, 3, 4]);
    expect(decodeCache(bytes.subarray(0, bytes.length - 4))).toBeNull();
    expect(decodeCache(Buffer.from('not a cache'))).toBeNull();
  });

  it('counts a hit only for a key written before, from a fresh store over the same folder', async () => {
    const disk = new DiskCache(root, 1024 ** 2);
    const first = new DiskPrefixCache(disk, 0);
    expect(await first.get('k')).toBeUndefined();
    expect(await first.set('k', cache([[1, 2]], [[1, 2]]))).toBe(true);
    const second = new DiskPrefixCache(new DiskCache(root, 1024 ** 2), 0);
    const got = await second.get('k');
    expect([...(tensors(got!)[0]![1].data as Float32Array)]).toEqual([1, 2]);
    expect(await second.get('other')).toBeUndefined();
    expect([first.misses, second.hits, second.misses]).toEqual([1, 1, 1]);
  });

  it('writes only the prefix of frames read before', async () => {
    const disk = new DiskCache(root, 1024 ** 2);
    const store = new DiskPrefixCache(disk, 0);
    expect(await store.set('first', cache([[1]], [[1, 1]]), { seenBefore: false })).toBe(false);
    expect(await store.set('again', cache([[1]], [[1, 1]]), { seenBefore: true })).toBe(true);
    expect([await store.get('first'), disk.stats.writes]).toEqual([undefined, 1]);
  });

  it('keeps nothing when its bound is 0 (TEMPO_KV_CACHE_MB=0)', async () => {
    const store = new DiskPrefixCache(new DiskCache(root, 0), 0);
    expect(await store.set('k', cache([[1]], [[1, 1]]))).toBe(false);
    expect(await store.get('k')).toBeUndefined();
  });
});
