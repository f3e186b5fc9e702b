import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Default bound of the on-disk cache: 4 GiB, overridable with TEMPO_CACHE_MB. */
export const DEFAULT_CACHE_BYTES = 4 * 1024 ** 3;

export function cacheBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env['TEMPO_CACHE_MB']);
  return Number.isFinite(mb) && mb >= 0 && env['TEMPO_CACHE_MB'] !== ''
    ? Math.round(mb * 1024 ** 2)
    : DEFAULT_CACHE_BYTES;
}

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
  evicted: number;
}

/**
 * A bounded key-value store of files under one folder. Keys are hashed to file names;
 * writes go to a temporary file renamed into place, so a reader (or another process)
 * never sees half an entry. When the folder grows past `maxBytes` the least recently
 * used entries (by modification time, refreshed on every hit) go until it is under 90%.
 */
export class DiskCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0, evicted: 0 };
  private bytes: number | null = null;

  constructor(
    readonly root: string,
    readonly maxBytes: number,
  ) {}

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

  async put(key: string, chunks: readonly Uint8Array[]): Promise<void> {
    const size = chunks.reduce((a, c) => a + c.byteLength, 0);
    if (size > this.maxBytes) return;
    const f = this.file(key);
    await mkdir(path.dirname(f), { recursive: true });
    const tmp = `${f}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, chunks);
    await rename(tmp, f);
    this.stats.writes++;
    if (this.bytes === null) this.bytes = await this.measure();
    else this.bytes += size;
    if (this.bytes > this.maxBytes) await this.evict();
  }

  private async entries(): Promise<{ file: string; size: number; mtimeMs: number }[]> {
    const out: { file: string; size: number; mtimeMs: number }[] = [];
    let dirs: string[];
    try {
      dirs = await readdir(this.root);
    } catch {
      return out;
    }
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
        if (s?.isFile()) out.push({ file, size: s.size, mtimeMs: s.mtimeMs });
      }
    }
    return out;
  }

  /** Bytes on disk now (every entry, whichever process wrote it). */
  async measure(): Promise<number> {
    return (await this.entries()).reduce((a, e) => a + e.size, 0);
  }

  private async evict(): Promise<void> {
    const all = (await this.entries()).sort((a, b) => a.mtimeMs - b.mtimeMs);
    let total = all.reduce((a, e) => a + e.size, 0);
    const target = this.maxBytes * 0.9;
    for (const e of all) {
      if (total <= target) break;
      await rm(e.file, { force: true });
      total -= e.size;
      this.stats.evicted++;
    }
    this.bytes = total;
  }

  async clear(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
    this.bytes = 0;
  }
}
