// `npm start`: the desktop app where Electron can start; otherwise says why and shows the CLI.
// (Web mode, `tempo serve`, arrives with the workstation and will be the fallback here.)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const bin = require('electron');
    return typeof bin === 'string' && existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const bin = electronBinary();
if (bin) {
  const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const run = spawnSync(bin, ['.'], { stdio: 'inherit' });
  process.exit(run.status ?? 0);
}
console.error('Electron cannot start on this machine (its binary is not installed).');
console.error('Use the tempo command (npx tempo ...):\n');
spawnSync(process.execPath, ['bin/tempo.js', 'help'], { stdio: 'inherit' });
