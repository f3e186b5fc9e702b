import { DynamicCache, Tensor } from '@huggingface/transformers';
import type { DiskCache } from '../../cache/disk-cache.js';
import { PrefixCache } from './kv.js';

/**
 * Prompt prefixes' KV caches on disk. A 2B model's prefix over a 2,000-token window is about
 * 115 MB; kept in memory, a long recording's windows filled the process up to the bound (1 GiB)
 * and peak memory grew with the footage. On disk (a bounded cache of its own, least recently
 * used dropped first) memory holds only the window being read, and a query over frames read
 * before writes its prefixes, so the next one over them (in this process or another) reads the
 * prefix back instead of the decoder reading the frames again. Caches held on the GPU are not
 * read back to be written: those stay in memory.
 */
export class DiskPrefixCache {
  hits = 0;
  misses = 0;
  /** GPU-resident prefixes (reading them back to disk would cost more than it saves). */
  private readonly memory: PrefixCache;

  constructor(
    private readonly disk: DiskCache,
    memoryBytes: number,
  ) {
    this.memory = new PrefixCache(memoryBytes);
  }

  async get(key: string): Promise<DynamicCache | undefined> {
    const inMemory = this.memory.get(key);
    const found = inMemory ?? (await this.fromDisk(key));
    if (found) this.hits++;
    else this.misses++;
    return found;
  }

  private async fromDisk(key: string): Promise<DynamicCache | undefined> {
    const buf = await this.disk.get(diskKey(key));
    return buf ? (decodeCache(buf) ?? undefined) : undefined;
  }

  /**
   * Writes a CPU cache to disk (kept in memory when on the GPU); whether it was kept. Only for
   * frames read before (a second look at them): a first query over a library would otherwise
   * write about 115 MB a window that the bound drops before any reuse, wearing the disk for
   * nothing.
   */
  async set(key: string, cache: DynamicCache, opts: { seenBefore: boolean } = { seenBefore: true }): Promise<boolean> {
    const tensors = Object.values(cache) as Tensor[];
    if (tensors.some((t) => t.location === 'gpu-buffer')) return this.memory.set(key, cache);
    if (!opts.seenBefore) return false;
    return this.disk.put(diskKey(key), encodeCache(cache));
  }

  /** Whether a cache is one this store holds (then its GPU buffers must not be freed). */
  has(cache: DynamicCache): boolean {
    return this.memory.has(cache);
  }

  async clear(): Promise<void> {
    await this.memory.clear();
  }
}

const diskKey = (key: string) => `prefix-kv\u0000${key}`;

interface Entry {
  name: string;
  type: string;
  dims: number[];
  offset: number;
  bytes: number;
}

const ARRAYS: Record<string, new (b: ArrayBuffer, o: number, n: number) => ArrayBufferView & { length: number }> = {
  float32: Float32Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
};
const ALIGN = 8;

/** A cache as file chunks: a 4-byte header length, a JSON header, then each tensor's bytes at an aligned offset. */
export function encodeCache(cache: DynamicCache): Uint8Array[] {
  const entries: Entry[] = [];
  const datas: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(cache) as [string, Tensor][]) {
    const data = t.data as ArrayBufferView;
    entries.push({ name, type: t.type, dims: [...t.dims], offset, bytes: data.byteLength });
    datas.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    offset += Math.ceil(data.byteLength / ALIGN) * ALIGN;
  }
  const header = Buffer.from(JSON.stringify(entries));
  const headerBytes = Math.ceil((4 + header.length) / ALIGN) * ALIGN;
  const head = Buffer.alloc(headerBytes);
  head.writeUInt32LE(header.length, 0);
  header.copy(head, 4);
  const chunks: Uint8Array[] = [head];
  for (const d of datas) {
    chunks.push(d);
    const pad = (ALIGN - (d.byteLength % ALIGN)) % ALIGN;
    if (pad) chunks.push(new Uint8Array(pad));
  }
  return chunks;
}

/** The cache encodeCache wrote, its tensors viewing the buffer read (no copy); null when unreadable. */
export function decodeCache(buf: Buffer): DynamicCache | null {
  try {
    const length = buf.readUInt32LE(0);
    const entries = JSON.parse(buf.subarray(4, 4 + length).toString('utf8')) as Entry[];
    const base = Math.ceil((4 + length) / ALIGN) * ALIGN;
    // Views need an aligned start: a buffer from a pool or slice may not give one.
    const own = buf.byteOffset % ALIGN === 0 ? buf : Buffer.from(buf);
    const tensors: Record<string, Tensor> = {};
    for (const e of entries) {
      const View = ARRAYS[e.type];
      const start = own.byteOffset + base + e.offset;
      if (!View || base + e.offset + e.bytes > own.byteLength) return null;
      const size = e.bytes / (View as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      const data = new View(own.buffer as ArrayBuffer, start, size) as Float32Array;
      tensors[e.name] = new Tensor(e.type as 'float32', data, e.dims);
    }
    return new DynamicCache(tensors);
  } catch {
    return null;
  }
}
