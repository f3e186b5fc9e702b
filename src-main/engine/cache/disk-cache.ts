import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, statfs, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Default bound of the on-disk cache: 4 GiB, overridable with TEMPO_CACHE_MB. */
export const DEFAULT_CACHE_BYTES = 4 * 1024 ** 3;

export function cacheBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env['TEMPO_CACHE_MB']);
  return Number.isFinite(mb) && mb >= 0 && env['TEMPO_CACHE_MB'] !== ''
    ? Math.round(mb * 1024 ** 2)
    : DEFAULT_CACHE_BYTES;
}

/**
 * Bound of the prompt-prefix KV caches (models/local/prefix-disk.ts): 1 GiB, overridable with
 * TEMPO_KV_CACHE_MB (0: none kept).
 */
export function kvCacheBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env['TEMPO_KV_CACHE_MB']);
  return env['TEMPO_KV_CACHE_MB'] && Number.isFinite(mb) && mb >= 0 ? Math.round(mb * 1024 ** 2) : 1024 ** 3;
}

/** Free space the cache leaves on its disk by default: 1 GiB, or 5% of the disk when that is less. */
export const DEFAULT_RESERVE_BYTES = 1024 ** 3;
export const DEFAULT_RESERVE_SHARE = 0.05;

/**
 * Free space (bytes) the cache leaves on its disk: TEMPO_CACHE_RESERVE_MB when set, else the
 * smaller of 1 GiB and 5% of the disk's size.
 */
export function reserveBytesFor(diskBytes: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['TEMPO_CACHE_RESERVE_MB'];
  const mb = Number(raw);
  if (raw !== undefined && raw !== '' && Number.isFinite(mb) && mb >= 0) return Math.round(mb * 1024 ** 2);
  return Math.min(DEFAULT_RESERVE_BYTES, Math.floor(diskBytes * DEFAULT_RESERVE_SHARE));
}

/** What the cache needs to know of its disk: blocks free to unprivileged users, block size, blocks in all. */
export interface DiskSpace {
  bavail: number | bigint;
  bsize: number | bigint;
  blocks: number | bigint;
}
export type StatFs = (dir: string) => Promise<DiskSpace>;

export interface DiskCacheOptions {
  /** Free space to leave on the disk; default reserveBytesFor(the disk's size). */
  reserveBytes?: number;
  /** How the disk's free space is read (tests inject a full disk here). */
  statfs?: StatFs;
}

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
  evicted: number;
  /** Writes left out because the disk was short of its reserve of free space. */
  skipped: number;
}

/** Temporary files older than this were left by a process that died mid-write. */
const STALE_TMP_MS = 60 * 60 * 1000;

const isTmp = (name: string) => name.endsWith('.tmp');

/**
 * A bounded key-value store of files under one folder. Keys are hashed to file names;
 * writes go to a temporary file renamed into place, so a reader (or another process)
 * never sees half an entry. When the folder grows past `maxBytes` the least recently
 * used entries (by modification time, refreshed on every hit) go until it is under 90%.
 *
 * The cache gives way to everything else on its disk: before each write it reads the disk's
 * free space, and when the write would leave less than the reserve it drops least recently
 * used entries to make room, or leaves the write out when that is not enough. A write that
 * fails for want of space leaves nothing behind.
 */
export class DiskCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0, evicted: 0, skipped: 0 };
  private bytes: number | null = null;
  private reserve: number | null;
  private readonly statfs: StatFs;

  constructor(
    readonly root: string,
    readonly maxBytes: number,
    opts: DiskCacheOptions = {},
  ) {
    this.reserve = opts.reserveBytes ?? null;
    this.statfs = opts.statfs ?? ((dir) => statfs(dir));
  }

  private file(key: string): string {
    const h = createHash('sha256').update(key).digest('hex');
    return path.join(this.root, h.slice(0, 2), h.slice(2));
  }

  async get(key: string): Promise<Buffer | null> {
    const f = this.file(key);
    try {
      const data = await readFile(f);
      this.stats.hits++;
      const now = new Date();
      await utimes(f, now, now).catch(() => undefined);
      return data;
    } catch {
      this.stats.misses++;
      return null;
    }
  }

  /** The file holding an entry (to serve it as it is), or null; counts and refreshes like get. */
  async path(key: string): Promise<string | null> {
    const f = this.file(key);
    const now = new Date();
    try {
      await utimes(f, now, now);
      this.stats.hits++;
      return f;
    } catch {
      this.stats.misses++;
      return null;
    }
  }

  /**
   * Stores an entry. Returns false when it was left out: larger than the whole bound, or the
   * disk short of its reserve of free space even with the cache emptied of older entries.
   */
  async put(key: string, chunks: readonly Uint8Array[]): Promise<boolean> {
    const size = chunks.reduce((a, c) => a + c.byteLength, 0);
    if (size > this.maxBytes) return false;
    if (!(await this.makeRoom(size))) {
      this.stats.skipped++;
      return false;
    }
    const f = this.file(key);
    const tmp = `${f}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(f), { recursive: true });
      await writeFile(tmp, chunks);
      await rename(tmp, f);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code;
      // The disk filled up under us (another program wrote): the cache gives way.
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        this.stats.skipped++;
        return false;
      }
      throw err;
    }
    this.stats.writes++;
    if (this.bytes === null) this.bytes = await this.measure();
    else this.bytes += size;
    if (this.bytes > this.maxBytes) await this.evict(this.maxBytes * 0.9);
    return true;
  }

  /** Free bytes on the cache's disk and the reserve to keep there. */
  private async space(): Promise<{ free: number; reserve: number }> {
    // The cache folder may not exist yet: ask about the nearest folder that does.
    let dir = this.root;
    for (;;) {
      try {
        const s = await this.statfs(dir);
        const bsize = Number(s.bsize);
        this.reserve ??= reserveBytesFor(Number(s.blocks) * bsize);
        return { free: Number(s.bavail) * bsize, reserve: this.reserve };
      } catch (err) {
        const parent = path.dirname(dir);
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === dir) throw err;
        dir = parent;
      }
    }
  }

  /** Whether `size` more bytes leave the reserve free, after dropping old entries if needed. */
  private async makeRoom(size: number): Promise<boolean> {
    let space: { free: number; reserve: number };
    try {
      space = await this.space();
    } catch {
      return true; // No way to know (an odd filesystem): the bound alone applies.
    }
    const short = space.reserve + size - space.free;
    if (short <= 0) return true;
    const freed = await this.evictBytes(short);
    return freed >= short;
  }

  private async entries(): Promise<{ file: string; size: number; mtimeMs: number }[]> {
    const out: { file: string; size: number; mtimeMs: number }[] = [];
    let dirs: string[];
    try {
      dirs = await readdir(this.root);
    } catch {
      return out;
    }
    const staleBefore = Date.now() - STALE_TMP_MS;
    for (const d of dirs) {
      let names: string[];
      try {
        names = await readdir(path.join(this.root, d));
      } catch {
        continue;
      }
      for (const n of names) {
        const file = path.join(this.root, d, n);
        const s = await stat(file).catch(() => null);
        if (!s?.isFile()) continue;
        // A write in progress is not an entry; one left by a process that died is removed.
        if (isTmp(n)) {
          if (s.mtimeMs < staleBefore) await rm(file, { force: true }).catch(() => undefined);
          continue;
        }
        out.push({ file, size: s.size, mtimeMs: s.mtimeMs });
      }
    }
    return out;
  }

  /** Bytes on disk now (every entry, whichever process wrote it). */
  async measure(): Promise<number> {
    return (await this.entries()).reduce((a, e) => a + e.size, 0);
  }

  /** Drops least recently used entries until the cache holds at most `target` bytes. */
  private async evict(target: number): Promise<void> {
    const all = (await this.entries()).sort((a, b) => a.mtimeMs - b.mtimeMs);
    let total = all.reduce((a, e) => a + e.size, 0);
    for (const e of all) {
      if (total <= target) break;
      await rm(e.file, { force: true });
      total -= e.size;
      this.stats.evicted++;
    }
    this.bytes = total;
  }

  /** Drops least recently used entries until `bytes` are freed (or none is left); returns the bytes freed. */
  private async evictBytes(bytes: number): Promise<number> {
    const all = (await this.entries()).sort((a, b) => a.mtimeMs - b.mtimeMs);
    let total = all.reduce((a, e) => a + e.size, 0);
    let freed = 0;
    for (const e of all) {
      if (freed >= bytes) break;
      await rm(e.file, { force: true });
      freed += e.size;
      total -= e.size;
      this.stats.evicted++;
    }
    this.bytes = total;
    return freed;
  }

  async clear(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
    this.bytes = 0;
  }
}
