import { execFileSync } from 'node:child_process';

/**
 * Integration tests run the real `tempo` command, so the TypeScript is compiled first; the
 * end-to-end tests drive the built renderer through `tempo serve`, so the app is built too.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], { stdio: 'inherit' });
}
