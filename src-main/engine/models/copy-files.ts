import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface CopyProgress {
  copiedBytes: number;
  totalBytes: number;
  /** The file being copied; '' once all are. */
  file: string;
}

/**
 * Copies `files` (relative paths with `/`) from `from` to `to`, links followed, never over an
 * existing file, reporting the bytes copied as they go. Stops at the signal with an
 * AbortError (the caller removes what it copied).
 */
export async function copyFiles(
  from: string,
  to: string,
  files: readonly string[],
  totalBytes: number,
  opts: { signal?: AbortSignal; onProgress?: (p: CopyProgress) => void } = {},
): Promise<void> {
  let copiedBytes = 0;
  for (const rel of files) {
    opts.signal?.throwIfAborted();
    const dest = path.join(to, ...rel.split('/'));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        copiedBytes += chunk.length;
        opts.onProgress?.({ copiedBytes, totalBytes, file: rel });
        done(null, chunk);
      },
    });
    await pipeline(
      fs.createReadStream(path.join(from, ...rel.split('/'))),
      count,
      fs.createWriteStream(dest, { flags: 'wx' }),
      ...(opts.signal ? [{ signal: opts.signal }] : []),
    );
  }
  opts.signal?.throwIfAborted();
  opts.onProgress?.({ copiedBytes, totalBytes, file: '' });
}
