/**
 * What an operator can get wrong, end to end in Debian's Chromium against `tempo serve`: a
 * text file, a missing model, a stopped model server. Each ends in a visible message, and the
 * app keeps working. Screenshots go to test-artifacts/e2e.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/tempo-cli.js';
import { closeBrowser, openWorkstation, screenshot } from './harness.js';
import { LibraryPage } from './pages/library-page.js';
import { ModelsPage } from './pages/models-page.js';
import { QueryPage } from './pages/query-page.js';

afterAll(closeBrowser);

/** Polls until the assertion holds; the engine works in the background, so allow it time. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 90_000, interval: 100 });

describe('what an operator can get wrong', () => {
  it('a text file, a missing model, a stopped model server: a visible message each, and the app keeps working', async () => {
    const w = await openWorkstation({ model: false });
    const { page } = w;
    const library = new LibraryPage(page);
    const query = new QueryPage(page);
    const models = new ModelsPage(page);
    try {
      const text = path.join(w.videos, 'notes.txt');
      fs.writeFileSync(text, 'not a video');
      await library.import(text);
      await poll(() => library.alerts()).toEqual(expect.arrayContaining([expect.stringContaining('notes.txt')]));

      await library.import(w.videos);
      await poll(() => library.notScannedCount()).toBe(3);

      await query.find('a box appears');
      await poll(() => query.alerts()).toEqual(expect.arrayContaining([expect.stringContaining('no model installed')]));
      await screenshot(page, 'error-missing-model');

      await models.open();
      const closed = `http://127.0.0.1:${await freePort()}/v1`;
      await models.saveServerUrl(closed);
      // A new model server is used only once the operator confirms it, by its URL.
      await poll(() => models.confirmServer.textContent()).toContain(closed);
      await models.useThisServer();
      await poll(() => models.notices()).toEqual(expect.arrayContaining([expect.stringContaining('Settings saved')]));
      await query.find('a box appears');
      await poll(() => query.alerts()).toEqual(expect.arrayContaining([expect.stringContaining('is not reachable')]));

      // Still working: the library is there and a scan runs.
      await library.go('Library');
      await library.scanButtons.first().click();
      await poll(() => library.scannedCount()).toBe(1);

      // The messages stay in the lower-right corner until dismissed; the page leaves room below
      // its content, so scrolled to the bottom, nothing of it is underneath them.
      await page.setViewportSize({ width: 1280, height: 420 });
      const room = await library.messagesRoom();
      expect(room.height).toBeGreaterThan(100);
      expect(room.last).toBeLessThanOrEqual(room.top);
    } finally {
      await w.stop();
    }
  });
});
