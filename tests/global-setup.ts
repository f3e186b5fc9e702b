import { execFileSync } from 'node:child_process';

/** Integration tests run the real `tempo` command, so the TypeScript is compiled first. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node.json'], { stdio: 'inherit' });
}
