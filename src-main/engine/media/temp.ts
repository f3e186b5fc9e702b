import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Temporary files written beside an output: `<name>.<pid>.<random>.tmp[.<ext>]`. */
const TEMP = /\.(\d+)\.[0-9a-f]{12}\.tmp(?:\.\w+)?$/;

/** A temporary name beside `outFile`, unique to this call (the process id and random bytes). */
export function tempNameFor(outFile: string, ext = ''): string {
  return `${outFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp${ext}`;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files in `dir` left by processes that are gone (killed while writing a
 * preview or poster); those of live processes, this one included, are theirs to finish.
 * Returns the names removed.
 */
export function removeAbandonedTemps(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    fs.rmSync(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
