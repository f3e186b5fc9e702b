/**
 * Import as a job in the Library, in Debian's Chromium against `tempo serve`: the outcome of
 * a done import (what came in, what was skipped and why), a long import's progress with
 * recordings landing as it goes and a Cancel that keeps what came in, and a failed import's
 * one-line reason. Screenshots go to test-artifacts/e2e.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src-shared/jobs.js';
import { closeBrowser, openWorkstation, screenshot } from './harness.js';
import { LibraryPage } from './pages/library-page.js';

afterAll(closeBrowser);

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 90_000, interval: 100 });

/**
 * `count` different recordings in `dir`, made from one clip: each gets its own trailing MP4
 * 'free' box, so its size and last bytes (its fingerprint) differ and players ignore it.
 */
function copies(clip: string, dir: string, count: number): void {
  fs.mkdirSync(dir);
  const video = fs.readFileSync(clip);
  for (let i = 0; i < count; i++) {
    const free = Buffer.alloc(16);
    free.writeUInt32BE(16, 0);
    free.write('free', 4, 'latin1');
    free.writeUInt32BE(i + 1, 12);
    fs.writeFileSync(path.join(dir, `copy-${String(i).padStart(2, '0')}.mp4`), Buffer.concat([video, free]));
  }
}

describe('import as a job', () => {
  it('shows the outcome, the progress of a long import, its cancel, and a failure in one line', async () => {
    const w = await openWorkstation({ model: false });
    const { page } = w;
    const library = new LibraryPage(page);
    try {
      // Done: each skipped file with its reason, and the recordings it brought in.
      const notes = path.join(w.home, 'notes.txt');
      fs.writeFileSync(notes, 'not a video');
      await library.import(notes);
      await poll(() => library.importMessages()).toEqual([
        expect.stringContaining('No recordings imported.'),
        expect.stringContaining(`${notes}:`),
      ]);
      await library.import(w.videos);
      await poll(() => library.importMessages()).toEqual([
        expect.stringMatching(/Imported 3 recordings\.\s+camera-1\.mp4, camera-2\.mp4, camera-3\.mp4/),
      ]);
      // The list is read again once the job has ended (a round trip after its outcome shows).
      await poll(() => library.recordingCount()).toBe(3);
      expect(await library.importRunning.count()).toBe(0);

      // A long import: progress as it goes, recordings landing before it ends, then Cancel.
      const many = path.join(w.home, 'many');
      copies(path.join(w.videos, 'camera-1.mp4'), many, 60);
      await library.import(many);
      await poll(() => library.importPercent()).toBeGreaterThan(0);
      // Next to its bar, the time it has left (or that it is still too early to say).
      await poll(() => library.importEta()).toMatch(/^(about .+ left|almost done|estimating time left)$/);
      await poll(() => library.recordingCount()).toBeGreaterThan(3);
      await screenshot(page, 'import-progress');
      await library.cancelImport();
      await poll(() => library.importMessages()).toEqual([
        'Import cancelled: the files imported before the cancel stay in the library.',
      ]);
      const kept = w.rows<{ n: number }>("SELECT COUNT(*) AS n FROM recordings WHERE path LIKE '%copy-%'")[0]!.n;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(60);
      await poll(() => library.recordingCount()).toBe(3 + kept);
      expect(w.rows<{ state: string }>("SELECT state FROM jobs WHERE type = 'import' ORDER BY id")).toEqual([
        { state: 'done' },
        { state: 'done' },
        { state: 'cancelled' },
      ]);

      // A failed import says why, in one line, where the import was asked for.
      const failed: Job = {
        id: 999_999,
        type: 'import',
        state: 'failed',
        progress: 0.2,
        attempts: 1,
        maxAttempts: 1,
        error: `import stopped at ${many}/copy-00.mp4: the database is read-only; nothing was imported\nat importInto`,
        payload: { paths: [many] },
        recordingId: null,
        cancelRequested: false,
        result: null,
        createdAt: new Date().toISOString(),
        startedAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      };
      await page.route('**/api/library.import', (route) => route.fulfill({ json: { job: failed } }));
      await library.import(many);
      await poll(() => library.importMessages()).toEqual([
        `Import failed: import stopped at ${many}/copy-00.mp4: the database is read-only; nothing was imported`,
      ]);
      await page.unroute('**/api/library.import');
      await screenshot(page, 'import-failed');
    } finally {
      await w.stop();
    }
  });
});
