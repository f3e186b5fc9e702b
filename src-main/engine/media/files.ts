import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isVideoFileName } from '../../../src-shared/video-files.js';

export interface Candidate {
  path: string;
  /** Why it cannot even be tried (missing, not a file), else null. */
  problem: string | null;
}

/**
 * Expands files and folders: folders recursively, their video files only (VIDEO_EXTENSIONS),
 * hidden entries skipped; a file named on its own is taken whatever its name.
 */
export function expandPaths(inputs: readonly string[]): Candidate[] {
  const out: Candidate[] = [];
  const walk = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && isVideoFileName(e.name)) out.push({ path: full, problem: null });
    }
  };
  for (const input of inputs) {
    const abs = path.resolve(input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      out.push({ path: abs, problem: 'no such file or folder' });
      continue;
    }
    if (stat.isDirectory()) walk(abs);
    else if (stat.isFile()) out.push({ path: abs, problem: null });
    else out.push({ path: abs, problem: 'not a regular file' });
  }
  return out;
}

const EDGE = 1 << 20;

/** A content fingerprint: size plus SHA-256 of the first and last MiB. Cheap on huge files. */
export function fingerprint(file: string): { fingerprint: string; sizeBytes: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const hash = crypto.createHash('sha256').update(String(size));
    const buf = Buffer.allocUnsafe(Math.min(EDGE, size));
    hash.update(buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)));
    if (size > EDGE) hash.update(buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, Math.max(EDGE, size - EDGE))));
    return { fingerprint: hash.digest('hex'), sizeBytes: size };
  } finally {
    fs.closeSync(fd);
  }
}
