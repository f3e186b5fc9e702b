import { createHash } from 'node:crypto';
import type { DiskCache } from './disk-cache.js';

/** What the vision encoder made of one image part: its grid and its features [tokens, hidden]. */
export interface ImageFeatures {
  grid: number[];
  dims: [number, number];
  data: Float32Array;
}

interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

/** What identifies an image part under a model: the model's key and a hash of the pixels. */
export function imageKey(modelKey: string, images: readonly Pixels[]): string {
  const h = createHash('sha256').update(modelKey);
  for (const im of images) h.update(`\u0000${im.width}x${im.height}\u0000`).update(im.data);
  return `features\u0000${h.digest('hex')}`;
}

/**
 * Vision-encoder output per image part, on disk. The key is the model's identity (its
 * folder, manifest name, vision-encoder file and dtype) plus a hash of the part's pixels,
 * so the same frame of the same recording under the same model is encoded once, whichever
 * query, window or process asks for it.
 */
export class FeatureCache {
  hits = 0;
  misses = 0;

  constructor(
    private readonly disk: DiskCache,
    private readonly modelKey: string,
  ) {}

  key(images: readonly Pixels[]): string {
    return imageKey(this.modelKey, images);
  }

  async get(key: string): Promise<ImageFeatures | null> {
    const buf = await this.disk.get(key);
    const entry = buf ? decode(buf) : null;
    if (entry) this.hits++;
    else this.misses++;
    return entry;
  }

  async put(key: string, f: ImageFeatures): Promise<void> {
    const header = Buffer.from(JSON.stringify({ grid: f.grid, dims: f.dims }));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.byteLength);
    await this.disk.put(key, [len, header, new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength)]);
  }
}

function decode(buf: Buffer): ImageFeatures | null {
  try {
    const n = buf.readUInt32LE(0);
    const head = JSON.parse(buf.subarray(4, 4 + n).toString()) as { grid: number[]; dims: [number, number] };
    const body = buf.subarray(4 + n);
    if (body.byteLength !== head.dims[0] * head.dims[1] * 4) return null;
    // Copy: the file's bytes need not sit on a 4-byte boundary.
    const data = new Float32Array(head.dims[0] * head.dims[1]);
    new Uint8Array(data.buffer).set(body);
    return { grid: head.grid, dims: head.dims, data };
  } catch {
    return null;
  }
}
