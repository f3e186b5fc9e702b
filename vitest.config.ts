import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['tests/global-setup.ts'],
    reporters: ['default', './tests/summary-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Integration tests start ffmpeg and node child processes; two cores here.
    maxWorkers: 2,
    fileParallelism: true,
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['tests/**/*.test.ts'], exclude: ['node_modules/**', 'tests/hardening/**'] },
      },
      // Regression tests of faults found by probing the running product as an attacker or an unlucky operator.
      { extends: true, test: { name: 'hardening', include: ['tests/hardening/**/*.test.ts'] } },
    ],
  },
});
