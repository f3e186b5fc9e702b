import { extractFrames, type FrameRequest, type RgbFrame } from '../media/extract.js';
import type { DiskCache } from './disk-cache.js';

export interface FrameSource {
  /** The recording's file. */
  file: string;
  /** What identifies the recording's content (its fingerprint), so a replaced file misses. */
  key: string;
  sourceFps: number;
}

export interface CachedFrames {
  frames: RgbFrame[];
  hits: number;
  misses: number;
}

function frameKey(source: FrameSource, r: FrameRequest): string {
  return `frame\u0000${source.key}\u0000${r.t.toFixed(3)}\u0000${r.width}x${r.height}`;
}

/**
 * Decoded frames of a recording at planned times and sizes, read from the cache where they
 * are; only the missing ones are decoded (extractFrames) and then kept. Frames come out
 * in time order, as extractFrames gives them.
 */
export async function cachedFrames(
  cache: DiskCache | undefined,
  source: FrameSource,
  requests: readonly FrameRequest[],
  signal?: AbortSignal,
): Promise<CachedFrames> {
  const sorted = [...requests].sort((a, b) => a.t - b.t);
  if (!cache) {
    const frames = await extractFrames(source.file, sorted, { sourceFps: source.sourceFps, signal });
    return { frames, hits: 0, misses: frames.length };
  }
  const found = await Promise.all(
    sorted.map(async (r) => {
      const data = await cache.get(frameKey(source, r));
      return data && data.byteLength === r.width * r.height * 3 ? data : null;
    }),
  );
  const missing = sorted.filter((_, i) => !found[i]);
  const decoded = await extractFrames(source.file, missing, { sourceFps: source.sourceFps, signal });
  for (const f of decoded) await cache.put(frameKey(source, f), [f.data]);
  let next = 0;
  const frames = sorted.map((r, i) => {
    const data = found[i];
    if (data) return { ...r, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    return decoded[next++] as RgbFrame;
  });
  return { frames, hits: sorted.length - missing.length, misses: missing.length };
}
