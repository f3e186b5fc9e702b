/**
 * The Model quality view end to end in Debian's Chromium against `tempo serve`, on a data
 * folder seeded before the server starts: the hand-built reviewed library (models A and B),
 * 30 reviewed segments of model C (enough for an isotonic calibrator), verdicts spread over
 * three weeks, model B's runs as two-stage ones with their audits, and an installed model
 * "tuned" without runs. The table must show what verdictEval computes on the same database;
 * the charts must draw; a refit must be stored.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verdictEval, type VerdictEval } from '../../src-main/engine/learning/verdict-eval.js';
import { openDatabase } from '../../src-main/engine/store/db.js';
import { auditSentence, formatEce, formatShare } from '../../src-renderer/src/lib/quality.js';
import { writeModelFolder } from '../fixtures/model-folder.js';
import { buildReviewedLibrary, seedThirtyReviewed } from '../fixtures/reviewed-library.js';
import { closeBrowser, openWorkstation, screenshot } from './harness.js';
import { QualityPage } from './pages/quality-page.js';

afterAll(closeBrowser);

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 100 });

/** Seeds the data folder and returns what verdictEval says of it. */
function seed(home: string): VerdictEval {
  const db = openDatabase(path.join(home, 'tempo.sqlite'));
  try {
    const lib = buildReviewedLibrary(db, path.join(home, 'videos'));
    seedThirtyReviewed(db, lib.recordings.r1, 'C');
    // Verdict ids: 1-7 the library's (2 undone), 8-37 model C's.
    const set = db.prepare('UPDATE verdicts SET created_at = ? WHERE id BETWEEN ? AND ?');
    set.run('2025-03-04T10:00:00.000Z', 1, 3);
    set.run('2025-03-12T10:00:00.000Z', 4, 5);
    set.run('2025-03-26T10:00:00.000Z', 6, 37);
    // Model B's runs as two-stage ones: each audited 4 windows its candidate model refused and found a moment in 1.
    const audit = { profile: 'qwen2-vl', stages: { audit: { audited: [0, 3, 5, 8], found: 1 } } };
    db.prepare("UPDATE runs SET settings = ? WHERE model_name = 'B'").run(JSON.stringify(audit));
    writeModelFolder(path.join(home, 'models', 'tuned'), {
      name: 'tuned',
      family: 'qwen2_vl',
      profile: 'qwen2-vl',
      source: 'random (test)',
    });
    return verdictEval({ db }, ['A', 'B', 'C', 'tuned']);
  } finally {
    db.close();
  }
}

describe('the Model quality view', () => {
  it("compares the models with verdictEval's numbers, draws the charts and refits a calibrator", async () => {
    let expected: VerdictEval | undefined;
    const w = await openWorkstation({
      model: false,
      seed: (home) => {
        expected = seed(home);
      },
    });
    const { page } = w;
    const quality = new QualityPage(page);
    try {
      await quality.open();
      await poll(() => quality.rows.count()).toBe(4);
      await poll(() => quality.textCount(`${expected!.pairs} reviewed (query, recording) pairs`)).toBe(1);

      for (const m of expected!.models) {
        const row = quality.row(new RegExp(`^${m.model}( installed)?$`));
        const cell = (metric: string) => quality.cell(row, metric);
        expect(await cell('n')).toBe(String(m.n));
        expect(await cell('r1At05')).toBe(formatShare(m.r1At05));
        expect(await cell('mIoU')).toBe(formatShare(m.mIoU));
        expect(await cell('refusalPrecision')).toBe(formatShare(m.refusal.precision));
        expect(await cell('refusalRecall')).toBe(formatShare(m.refusal.recall));
        expect(await cell('ece')).toBe(formatEce(m.ece));
        expect(await cell('audit')).toBe(m.audit ? auditSentence(m.audit) : '–');
      }
      // Two stages: what model B's audits found its first stage missed.
      expect(await quality.cell(quality.row('B'), 'audit')).toMatch(
        /^stage 1 missed a moment in 25\.0% of audited windows \(\d+ windows, \d+ runs\)$/,
      );
      // Model A of the hand-built library: 51 of 350 s at 2 of 3 moments.
      const rowA = quality.row('A');
      expect(await quality.cell(rowA, 'reviewLoad')).toBe('watch 14.6% of the footage at 66.7% recall');

      // The first model with scores is chosen: its weeks (3, 10, 17 and 24 March) and its reliability.
      await poll(() => quality.chartLineCount('A')).toBe(4);
      await poll(() => quality.chartDotCount('A')).toBeGreaterThan(0);
      expect(await quality.chartLabelCount('A', '24 Mar')).toBe(1);
      await poll(() => quality.barCount('A', 'before')).toBe(5);
      expect(await quality.barCount('A', 'after')).toBe(0);
      expect(await quality.diagonalCount('A')).toBe(1);

      // Model C has 30 reviewed segments: before and after, then a refit that is stored.
      await quality.chooseModel('C');
      await poll(() => quality.barCount('C', 'before')).toBe(3);
      await poll(() => quality.barCount('C', 'after')).toBeGreaterThan(0);
      await poll(() => quality.textCount('No calibrator fitted yet.')).toBe(1);
      await quality.refit();
      await poll(() => quality.notices()).toEqual([
        expect.stringContaining('Calibration of C refitted on 30 reviewed segments'),
      ]);
      await poll(() => quality.textCount(/Calibrator: isotonic on 30 segments \(12 right\)/)).toBe(1);
      expect(
        w.rows<{ model_name: string; method: string; n: number }>('SELECT model_name, method, n FROM calibrators'),
      ).toEqual([{ model_name: 'C', method: 'isotonic', n: 30 }]);
      await screenshot(page, 'quality');

      // An installed model that never ran: its row says so, and a refit is refused with a message.
      const rowTuned = quality.row(/^tuned/);
      expect(await quality.cell(rowTuned, 'reviewLoad')).toBe('has not run the reviewed queries');
      await quality.chooseModel('tuned');
      await poll(() => quality.textCount('No calibrator fitted yet.')).toBe(1);
      await quality.refit();
      await poll(() => quality.alerts()).toEqual([
        expect.stringContaining('model tuned has no runs yet: nothing to calibrate'),
      ]);
      expect(w.rows<{ n: number }>('SELECT COUNT(*) AS n FROM calibrators')).toEqual([{ n: 1 }]);

      // Comparable at once: the installed model is asked the reviewed queries in the background.
      // The messages sit over the lower right corner: dismiss them first, as an operator would.
      await quality.dismissMessages();
      await quality.runOnReviewedSet.click();
      await poll(
        () => w.rows<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE type = 'ground'")[0]!.n,
      ).toBeGreaterThanOrEqual(5);
      // This seeded library has no videos on disk and 'tuned' is no real model: each job fails, visibly.
      await poll(() => quality.alerts()).toEqual(
        expect.arrayContaining([expect.stringMatching(/^Query · r\d\.mp4 failed: /)]),
      );
      await poll(() => quality.runOnReviewedSet.count()).toBe(1);
    } finally {
      await w.stop();
    }
  });
});
