import { defineConfig } from 'vitest/config';

/**
 * Four projects, each building only what its tests need (tests/global-setup.ts, at most once
 * a run however many projects ask for it):
 *   unit         tests/unit/**         nothing built: engine code imported from source
 *   integration  tests/integration/**  `tsc -p tsconfig.node.json` (they run the real `tempo`)
 *   e2e          tests/e2e/**          tsc and `electron-vite build` (they drive the built app)
 *   hardening    tests/hardening/**    both, as e2e
 * `vitest run` runs them all; `vitest run --project unit` only the unit tests.
 */
const setup = ['tests/global-setup.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './tests/summary-reporter.ts'],
    // Removes the temporary folders each test file made (tests/support/temp.ts).
    setupFiles: ['tests/support/cleanup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Integration tests start ffmpeg and node child processes; two cores here.
    maxWorkers: 2,
    fileParallelism: true,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], globalSetup: setup } },
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], globalSetup: setup } },
      // Regression tests of faults found by probing the running product as an attacker or an unlucky operator.
      { extends: true, test: { name: 'hardening', include: ['tests/hardening/**/*.test.ts'], globalSetup: setup } },
    ],
  },
});
