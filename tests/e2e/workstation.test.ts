/**
 * The workstation end to end in Debian's Chromium against `tempo serve`: import recordings
 * the test encodes, scan them, run a query with the tiny parrot model (it answers "2-5" on
 * every recording), start the review on the queue's first segment, review the segments,
 * reload and find every verdict still there, save two stages in the settings (kept over a
 * reload) and ask a query in them; then the same from the keyboard, with a second window that
 * sees an added segment come and go. Screenshots of each view go to test-artifacts/e2e. What
 * an operator can get wrong is in operator-mistakes.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openWorkstation, screenshot, type Workstation } from './harness.js';
import { LibraryPage } from './pages/library-page.js';
import { ModelsPage } from './pages/models-page.js';
import { QueryPage } from './pages/query-page.js';
import { ReviewPage } from './pages/review-page.js';

afterAll(closeBrowser);

/** Polls until the assertion holds; the engine works in the background, so allow it time. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 90_000, interval: 100 });

async function importAndScan(w: Workstation): Promise<void> {
  const library = new LibraryPage(w.page);
  await library.import(w.videos);
  await poll(() => library.notScannedCount()).toBe(3);
  await library.scanAll();
  await poll(() => library.scannedCount()).toBe(3);
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
  it('imports, scans, finds, starts the review, accepts, adjusts, rejects and adds; a reload keeps every verdict', async () => {
    const w = await openWorkstation();
    const { page } = w;
    const query = new QueryPage(page);
    const review = new ReviewPage(page);
    try {
      await importAndScan(w);
      await screenshot(page, 'library');

      // Before the first query, the estimate says nothing is measured yet; after it, the time from what it measured.
      await query.go('Query');
      await poll(() => query.estimateText()).toBe(
        'no cost measured yet for parrot on cpu on this machine; the first query measures it',
      );
      await query.find('a box appears');
      await poll(() => query.openButtons.count()).toBe(3);
      await poll(() => query.estimateText()).toMatch(
        /^(About .+|Under a second) on this machine for 3 recordings \(parrot on cpu, from 3 runs\)$/,
      );
      await screenshot(page, 'query');

      // Start review opens the queue's first segment in the player, at its start.
      await query.startReview();
      await poll(() => review.queueItems.count()).toBe(3);
      const items = review.items;
      await poll(() => items.nth(0).getAttribute('aria-current')).toBe('true');
      const first = { recording: await review.itemRecording(0), start: await review.itemStart(0) };
      await poll(() => review.playerTitle(first.recording).count()).toBe(1);
      await poll(() => review.playhead()).toBe(first.start);

      // 1: accept.
      await items.nth(0).click();
      await review.accept();
      await poll(() => items.nth(0).textContent()).toContain('accepted');

      // 2: adjust with I and O at the playhead.
      await items.nth(1).click();
      const duration = await review.videoDuration(9);
      await review.seekTo(1.5, duration);
      await review.press('i');
      await review.seekTo(6, duration);
      await review.press('o');
      await poll(() => items.nth(1).textContent()).toContain('adjusted');

      // 3: reject, not present.
      await items.nth(2).click();
      await review.reject('Not present');
      await poll(() => items.nth(2).textContent()).toContain('rejected');

      // A moment the model missed: marks at the playhead with nothing selected, then "Add segment".
      await review.press('Escape');
      await review.seekTo(6.5, duration);
      await review.press('i');
      await review.seekTo(7.5, duration);
      await review.press('o');
      await review.addSegmentButton.click();
      await poll(() => standing(w).map((v) => v.verdict)).toEqual(['accept', 'adjust', 'adjust', 'reject', 'add']);
      expect(standing(w).find((v) => v.verdict === 'reject')?.reason).toBe('not-present');
      await screenshot(page, 'review');

      // Everything was stored as it happened: a reload finds it.
      await page.reload();
      await query.openLatestQuery();
      await review.go('Review');
      await poll(() => review.queueItems.allTextContents()).toEqual(
        expect.arrayContaining([
          expect.stringContaining('accepted'),
          expect.stringContaining('adjusted'),
          expect.stringContaining('rejected (Not present)'),
        ]),
      );

      const models = new ModelsPage(page);
      await models.open();
      await models.mention('parrot').waitFor({ state: 'visible' });
      await screenshot(page, 'settings');

      // Two stages: a bad percentage is a visible message and saves nothing; a good one stays over a reload.
      await models.saveTwoStages({ candidate: 'parrot', model: 'parrot', refineBelow: '150' });
      await poll(() => models.alerts()).toEqual(
        expect.arrayContaining([expect.stringContaining('Refine below is a percentage from 0 to 100.')]),
      );
      expect(w.rows("SELECT value FROM settings WHERE key = 'candidateModel'")).toEqual([]);
      await models.saveTwoStages({ candidate: 'parrot', model: 'parrot', refineBelow: '40' });
      await poll(() => models.notices()).toEqual(expect.arrayContaining([expect.stringContaining('Settings saved')]));
      await page.reload();
      await models.open();
      await poll(() => models.twoStageValues()).toEqual({ candidate: 'parrot', refineBelow: '40', auditShare: '5' });
      await query.go('Query');
      await poll(() => query.twoStagesText()).toBe(
        'Two stages: parrot then parrot on cpu, refine below 40%, audit 5% of refused windows',
      );
      // A query in two stages labels each result with the stage it came from.
      await query.find('a box appears, in two stages');
      await poll(async () => (await query.resultStages()).length).toBeGreaterThan(0);
      await poll(() => query.resultStages()).toEqual(
        expect.arrayContaining([expect.stringMatching(/^(candidate|refined|audit)$/)]),
      );
      expect((await query.resultStages()).every((stage) => /^(candidate|refined|audit)$/.test(stage))).toBe(true);
      await screenshot(page, 'query-two-stages');
    } finally {
      await w.stop();
    }
  });

  it('does the same from the keyboard; a second window sees an added segment come and go', async () => {
    const w = await openWorkstation();
    const { page } = w;
    const library = new LibraryPage(page);
    const query = new QueryPage(page);
    const review = new ReviewPage(page);
    try {
      await library.importByKeyboard(w.videos);
      await poll(() => library.notScannedCount()).toBe(3);
      for (let i = 0; i < 3; i++) {
        await library.scanFirstByKeyboard();
        await poll(() => library.scanButtons.count()).toBe(2 - i);
      }
      await poll(() => library.scannedCount()).toBe(3);

      await query.findByKeyboard('a box appears');
      await poll(() => query.openButtons.count()).toBe(3);

      // A second window on the same query: it follows what this one does.
      const other = new QueryPage(await w.openPage());
      await other.openLatestQuery();
      await poll(() => other.openButtons.count()).toBe(3);
      await page.bringToFront();

      await review.goByKeyboard('Review');
      await poll(() => review.queueItems.count()).toBe(3);
      await review.focusPage();
      const items = review.items;

      await review.press('n');
      await review.press('a');
      await poll(() => items.nth(0).textContent()).toContain('accepted');

      await review.press('n');
      await review.press('Home');
      await review.press('.', 10);
      await review.press('i');
      await poll(() => items.nth(1).textContent()).toContain('adjusted');

      await review.press('n');
      await review.press('r');
      await review.press('2');
      await poll(() => items.nth(2).textContent()).toContain('rejected (Wrong time)');

      // A missed moment: Esc clears the selection, I and O mark at the playhead, then the button by keyboard.
      await review.press('Escape');
      await review.press('End');
      await review.press(',', 30);
      await review.press('i');
      await review.press('.', 20);
      await review.press('o');
      await review.pressButton(review.addSegmentButton);
      await poll(() => standing(w).map((v) => v.verdict)).toEqual(['accept', 'adjust', 'reject', 'add']);
      // The other window shows the added segment; when Undo here takes it back, it goes there too.
      await poll(() => other.openButtons.count()).toBe(4);
      await review.pressButton(review.undoButton);
      await poll(() => standing(w).map((v) => v.verdict)).toEqual(['accept', 'adjust', 'reject']);
      await poll(() => other.openButtons.count()).toBe(3);
      expect(await review.queueItems.count()).toBe(3);

      await review.focusPage();
      await review.press('p');
      await review.press('?');
      await poll(() => review.keysDialog.count()).toBe(1);
      await screenshot(page, 'keys');
      await review.press('Escape');

      await poll(() => standing(w).map((v) => v.verdict)).toEqual(['accept', 'adjust', 'reject']);
      expect(standing(w)[2]?.reason).toBe('wrong-time');
    } finally {
      await w.stop();
    }
  });
});
