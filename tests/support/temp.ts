import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Folders made by tempDir and not removed yet. */
const made = new Set<string>();
let removeAtExit = false;

/**
 * A new empty folder under the system's temporary folder. It is removed by removeTempDirs():
 * after each test file (tests/support/cleanup.ts, a setup file of every vitest project), in an
 * afterEach that calls it, or, outside vitest (benches), when the process exits.
 * TEMPO_KEEP_TEMP=1 keeps them all, to look at what a failing test left.
 */
export function tempDir(prefix = 'tempo-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  if (!removeAtExit) {
    removeAtExit = true;
    process.once('exit', removeTempDirs);
  }
  return dir;
}

/** A fresh data folder (what `tempo --home` and Engine.open take) for one test. */
export function tempHome(): string {
  return tempDir('tempo-home-');
}

/** Removes one folder made by tempDir, now. */
export function removeTempDir(dir: string): void {
  made.delete(dir);
  if (process.env['TEMPO_KEEP_TEMP'] === '1') return;
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // A file still open elsewhere (Windows): the system's temporary folder is cleaned in time.
  }
}

/** Removes every folder tempDir made that is still there. */
export function removeTempDirs(): void {
  for (const dir of [...made]) removeTempDir(dir);
}
