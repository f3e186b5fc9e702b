import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

type Build = 'node' | 'app';

/**
 * What each project needs built. Integration tests run the real `tempo` command, so the
 * TypeScript is compiled; end-to-end and hardening tests also drive the built renderer
 * through `tempo serve` or Electron, so the app is built too. Unit tests need nothing.
 */
const NEEDS: Record<string, readonly Build[]> = {
  unit: [],
  integration: ['node'],
  e2e: ['node', 'app'],
  hardening: ['node', 'app'],
};

const STEPS: Record<Build, string[]> = {
  node: ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node.json'],
  app: ['node_modules/electron-vite/bin/electron-vite.js', 'build'],
};

/**
 * Builds done in this run. Vitest runs each selected project's global setup (one after
 * another, in the main process, each through its own module runner), so the record is kept
 * on globalThis: a build several projects need runs once.
 */
const built: Set<Build> = ((globalThis as { __tempoTestBuilds?: Set<Build> }).__tempoTestBuilds ??= new Set());

export default function setup(project: TestProject): void {
  // A project not listed gets everything, as every test did before the projects were split.
  for (const step of NEEDS[project.name] ?? (['node', 'app'] as const)) {
    if (built.has(step)) continue;
    execFileSync(process.execPath, STEPS[step], { stdio: 'inherit' });
    built.add(step);
  }
}
