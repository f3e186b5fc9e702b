/** Stand-ins for programs the engine starts (ffmpeg), scripted in JavaScript. */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes an executable `dir/name` that runs `script` (an ES module) with this Node, with the
 * arguments it was given: a fake program to put where the real one would be (TEMPO_FFMPEG).
 * POSIX only (a shell script starts it).
 */
export function fakeProgram(dir: string, name: string, script: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const js = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(js, script);
  const bin = path.join(dir, name);
  fs.writeFileSync(bin, `#!/bin/sh\nexec '${process.execPath}' '${js}' "$@"\n`, { mode: 0o755 });
  return bin;
}
