// `npm start`: the desktop app where Electron can start; otherwise web mode (`tempo serve`),
// which prints the address to open in a browser.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The Electron binary when it is installed (node_modules/electron/path.txt names it inside
 * dist/). Requiring 'electron' instead would try to download it where it is missing.
 */
function electronBinary() {
  const dir = path.join('node_modules', 'electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = path.resolve(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

const build = spawnSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], {
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);
const bin = electronBinary();
if (bin) {
  const run = spawnSync(bin, ['.'], { stdio: 'inherit' });
  process.exit(run.status ?? 0);
}
console.error('Electron cannot start on this machine (its binary is not installed): starting web mode.');
const port = process.env['TEMPO_PORT'] ?? '8766';
const serve = spawnSync(process.execPath, ['bin/tempo.js', 'serve', '--port', port], { stdio: 'inherit' });
process.exit(serve.status ?? 0);
