/**
 * The workstation end to end in Debian's Chromium against `tempo serve`: import recordings
 * the test encodes, scan them, run a query with the tiny parrot model (it answers "2-5" on
 * every recording), review the segments, reload and find every verdict still there; then
 * the same from the keyboard; then what an operator can get wrong. Screenshots of each view
 * go to test-artifacts/e2e.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../integration/cli/run-tempo.js';
import { closeBrowser, openWorkstation, screenshot, type Workstation } from './harness.js';

afterAll(closeBrowser);

/** Polls until the assertion holds; the engine works in the background, so allow it time. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 90_000, interval: 100 });

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name });

async function importAndScan(w: Workstation): Promise<void> {
  const { page } = w;
  await page.getByLabel('File or folder path').fill(w.videos);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await poll(() => page.getByText('Not scanned').count()).toBe(3);
  for (const button of await page.getByRole('button', { name: 'Scan', exact: true }).all()) await button.click();
  await poll(() => page.getByText('Scanned', { exact: true }).count()).toBe(3);
}

async function find(page: Page, text: string): Promise<void> {
  await nav(page, 'Query').click();
  await page.getByLabel('Query', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Find' }).click();
}

function queueItems(page: Page): Locator {
  return page.getByRole('region', { name: 'Review queue' }).getByRole('listitem');
}

/** Seeks by clicking the timeline's ruler at time `t` of a recording `durationS` long. */
async function seekTo(page: Page, t: number, durationS: number): Promise<void> {
  const canvas = page.locator('canvas').first();
  const box = (await canvas.boundingBox())!;
  await canvas.click({ position: { x: (t / durationS) * box.width, y: 3 } });
}

interface VerdictRow {
  verdict: string;
  reason: string | null;
  undone: number;
}

function standing(w: Workstation): VerdictRow[] {
  return w.rows<VerdictRow>('SELECT verdict, reason, undone FROM verdicts WHERE undone = 0 ORDER BY id');
}

describe('the review loop', () => {
  it('imports, scans, finds, accepts, adjusts, rejects and adds; a reload keeps every verdict', async () => {
    const w = await openWorkstation();
    const { page } = w;
    try {
      await importAndScan(w);
      await screenshot(page, 'library');

      await find(page, 'a box appears');
      const results = page.getByRole('region', { name: /Results/ });
      await poll(() => results.getByRole('button', { name: 'Open' }).count()).toBe(3);
      await screenshot(page, 'query');

      await nav(page, 'Review').click();
      await poll(() => queueItems(page).count()).toBe(3);
      const items = queueItems(page).getByRole('button');

      // 1: accept.
      await items.nth(0).click();
      await page.getByRole('button', { name: 'Accept' }).click();
      await poll(() => items.nth(0).textContent()).toContain('accepted');

      // 2: adjust with I and O at the playhead.
      await items.nth(1).click();
      const duration = Number(await page.locator('video').evaluate((v: HTMLVideoElement) => v.duration || 0)) || 9;
      await seekTo(page, 1.5, duration);
      await page.keyboard.press('i');
      await seekTo(page, 6, duration);
      await page.keyboard.press('o');
      await poll(() => items.nth(1).textContent()).toContain('adjusted');

      // 3: reject, not present.
      await items.nth(2).click();
      await page.getByRole('button', { name: 'Reject' }).click();
      await page
        .getByRole('group', { name: 'Reason for rejecting' })
        .getByRole('button', { name: /Not present/ })
        .click();
      await poll(() => items.nth(2).textContent()).toContain('rejected');

      // A moment the model missed: marks at the playhead with nothing selected, then "Add segment".
      await page.keyboard.press('Escape');
      await seekTo(page, 6.5, duration);
      await page.keyboard.press('i');
      await seekTo(page, 7.5, duration);
      await page.keyboard.press('o');
      await page.getByRole('button', { name: 'Add segment' }).click();
      await poll(() => standing(w).map((v) => v.verdict)).toEqual(['accept', 'adjust', 'adjust', 'reject', 'add']);
      expect(standing(w).find((v) => v.verdict === 'reject')?.reason).toBe('not-present');
      await screenshot(page, 'review');

      // Everything was stored as it happened: a reload finds it.
      await page.reload();
      await nav(page, 'Query').click();
      await page
        .getByRole('region', { name: /Previous queries/ })
        .getByRole('button')
        .first()
        .click();
      await nav(page, 'Review').click();
      await poll(() => queueItems(page).allTextContents()).toEqual(
        expect.arrayContaining([
          expect.stringContaining('accepted'),
          expect.stringContaining('adjusted'),
          expect.stringContaining('rejected (Not present)'),
        ]),
      );

      await nav(page, 'Models & settings').click();
      await expect(page.getByText('parrot').first()).toBeDefined();
      await screenshot(page, 'settings');
    } finally {
      await w.stop();
    }
  });

  it('does the same from the keyboard', async () => {
    const w = await openWorkstation();
    const { page } = w;
    try {
      await page.getByLabel('File or folder path').focus();
      await page.keyboard.type(w.videos);
      await page.keyboard.press('Enter');
      await poll(() => page.getByText('Not scanned').count()).toBe(3);
      for (let i = 0; i < 3; i++) {
        await page.getByRole('button', { name: 'Scan', exact: true }).first().focus();
        await page.keyboard.press('Enter');
        await poll(() => page.getByRole('button', { name: 'Scan', exact: true }).count()).toBe(2 - i);
      }
      await poll(() => page.getByText('Scanned', { exact: true }).count()).toBe(3);

      await nav(page, 'Query').focus();
      await page.keyboard.press('Enter');
      await page.getByLabel('Query', { exact: true }).focus();
      await page.keyboard.type('a box appears');
      await page.keyboard.press('Enter');
      await poll(() => page.getByRole('button', { name: 'Open' }).count()).toBe(3);

      await nav(page, 'Review').focus();
      await page.keyboard.press('Enter');
      await poll(() => queueItems(page).count()).toBe(3);
      await page.locator('body').focus();
      const items = queueItems(page).getByRole('button');

      await page.keyboard.press('n');
      await page.keyboard.press('a');
      await poll(() => items.nth(0).textContent()).toContain('accepted');

      await page.keyboard.press('n');
      await page.keyboard.press('Home');
      for (let i = 0; i < 10; i++) await page.keyboard.press('.');
      await page.keyboard.press('i');
      await poll(() => items.nth(1).textContent()).toContain('adjusted');

      await page.keyboard.press('n');
      await page.keyboard.press('r');
      await page.keyboard.press('2');
      await poll(() => items.nth(2).textContent()).toContain('rejected (Wrong time)');

      // A missed moment: Esc clears the selection, I and O mark at the playhead, then the button by keyboard.
      await page.keyboard.press('Escape');
      await page.keyboard.press('End');
      for (let i = 0; i < 30; i++) await page.keyboard.press(',');
      await page.keyboard.press('i');
      for (let i = 0; i < 20; i++) await page.keyboard.press('.');
      await page.keyboard.press('o');
      await page.getByRole('button', { name: 'Add segment' }).focus();
      await page.keyboard.press('Enter');
      await poll(() => standing(w).map((v) => v.verdict)).toEqual(['accept', 'adjust', 'reject', 'add']);
      await page.getByRole('button', { name: 'Undo' }).focus();
      await page.keyboard.press('Enter');
      await poll(() => standing(w).map((v) => v.verdict)).toEqual(['accept', 'adjust', 'reject']);

      await page.locator('body').focus();
      await page.keyboard.press('p');
      await page.keyboard.press('?');
      await poll(() => page.getByRole('dialog').count()).toBe(1);
      await screenshot(page, 'keys');
      await page.keyboard.press('Escape');

      await poll(() => standing(w).map((v) => v.verdict)).toEqual(['accept', 'adjust', 'reject']);
      expect(standing(w)[2]?.reason).toBe('wrong-time');
    } finally {
      await w.stop();
    }
  });
});

describe('what an operator can get wrong', () => {
  it('a text file, a missing model, a stopped model server: a visible message each, and the app keeps working', async () => {
    const w = await openWorkstation({ model: false });
    const { page } = w;
    try {
      const text = path.join(w.videos, 'notes.txt');
      fs.writeFileSync(text, 'not a video');
      await page.getByLabel('File or folder path').fill(text);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await poll(() => page.getByRole('alert').allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining('notes.txt')]),
      );

      await page.getByLabel('File or folder path').fill(w.videos);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await poll(() => page.getByText('Not scanned').count()).toBe(3);

      await find(page, 'a box appears');
      await poll(() => page.getByRole('alert').allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining('no model installed')]),
      );
      await screenshot(page, 'error-missing-model');

      await nav(page, 'Models & settings').click();
      const closed = `http://127.0.0.1:${await freePort()}/v1`;
      await page.getByLabel(/Model server URL/).fill(closed);
      await page.getByRole('button', { name: 'Save' }).click();
      // A new model server is used only once the operator confirms it, by its URL.
      await poll(() => page.getByRole('alertdialog').textContent()).toContain(closed);
      await page.getByRole('button', { name: 'Use this server' }).click();
      await poll(() => page.getByRole('status').allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining('Settings saved')]),
      );
      await find(page, 'a box appears');
      await poll(() => page.getByRole('alert').allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining('is not reachable')]),
      );

      // Still working: the library is there and a scan runs.
      await nav(page, 'Library').click();
      await page.getByRole('button', { name: 'Scan', exact: true }).first().click();
      await poll(() => page.getByText('Scanned', { exact: true }).count()).toBe(1);

      // The messages stay in the lower-right corner until dismissed; the page leaves room below
      // its content, so scrolled to the bottom, nothing of it is underneath them.
      await page.setViewportSize({ width: 1280, height: 420 });
      const room = await page.evaluate(() => {
        window.scrollTo(0, document.documentElement.scrollHeight);
        const messages = (document.querySelector('.messages') as HTMLElement).getBoundingClientRect();
        const controls = [...document.querySelectorAll('main button, main input, main select, main a')];
        return {
          top: messages.top,
          height: messages.height,
          last: Math.max(...controls.map((c) => c.getBoundingClientRect().bottom)),
        };
      });
      expect(room.height).toBeGreaterThan(100);
      expect(room.last).toBeLessThanOrEqual(room.top);
    } finally {
      await w.stop();
    }
  });
});
