/**
 * The verdicts put to use, through the real `tempo` command on real SQLite files: training-data
 * export, model comparison on the reviewed set, calibration, and installing a fine-tuned model
 * folder that a ground run then uses with its calibrator.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GroundResult } from '../../../src-main/engine/api/ground.js';
import { applyCalibration } from '../../../src-main/engine/learning/isotonic.js';
import type { VerdictEval } from '../../../src-main/engine/learning/verdict-eval.js';
import { openDatabase } from '../../../src-main/engine/store/db.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { writeModelFolder } from '../../fixtures/model-folder.js';
import { buildReviewedLibrary, seedThirtyReviewed } from '../../fixtures/reviewed-library.js';
import { makeTinyQwen2VL } from '../../fixtures/tiny-qwen2vl/generate.js';
import { installedModels } from '../../support/files.js';
import { queryRows, storeFile } from '../../support/store.js';
import { stderrLines, tempHome, tempo, tempoJson } from '../../support/tempo-cli.js';

/** A data folder holding the hand-built reviewed library (tests/fixtures/reviewed-library.ts). */
function reviewedHome(): string {
  const home = tempHome();
  const db = openDatabase(storeFile(home));
  buildReviewedLibrary(db);
  db.close();
  return home;
}

describe('tempo export-training', () => {
  let home: string;
  beforeAll(() => {
    home = reviewedHome();
  });

  it('writes grpo JSONL, and the same bytes when run again after more review', async () => {
    const out = path.join(home, 'train.jsonl');
    const { doc } = await tempoJson(home, ['export-training', '--out', out, '--format', 'grpo']);
    expect(doc).toMatchObject({ id: 'grpo', created: true, records: 4, verdicts: 4, out });
    const first = fs.readFileSync(out);
    expect(first.toString().trimEnd().split('\n')).toHaveLength(4);
    const db = new Database(storeFile(home));
    db.prepare(
      "INSERT INTO verdicts (segment_id, verdict, previous_start_s, previous_end_s, created_at) SELECT id, 'accept', start_s, end_s, 'now' FROM segments WHERE state = 'pending'",
    ).run();
    db.close();
    fs.rmSync(out);
    const again = await tempo(home, ['export-training', '--out', out, '--format', 'grpo']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("export 'grpo' (the same as before): 4 grpo records from 4 verdicts");
    expect(fs.readFileSync(out).equals(first)).toBe(true);
    const next = await tempoJson(home, ['export-training', '--out', out, '--format', 'grpo', '--id', 'round-2']);
    expect(next.doc).toMatchObject({ id: 'round-2', created: true });
    expect(next.doc['verdicts']).toBeGreaterThan(0);
    // Nothing left: the file of the last export stays as it is.
    const kept = fs.readFileSync(out);
    const none = await tempo(home, ['export-training', '--out', out, '--format', 'grpo', '--id', 'round-3']);
    expect(none.stdout).toContain("export 'round-3': nothing new to export");
    expect(fs.readFileSync(out).equals(kept)).toBe(true);
  });

  it('writes charades lines and qvhighlights JSONL', async () => {
    const charades = path.join(home, 'charades.txt');
    await tempoJson(home, ['export-training', '--out', charades, '--format', 'charades', '--model', 'A']);
    expect(fs.readFileSync(charades, 'utf8')).toMatch(/^rec1 10\.00 20\.00##a box falls\nrec2 32\.00 40\.00##/);
    const qv = path.join(home, 'qv.jsonl');
    await tempoJson(home, ['export-training', '--out', qv, '--format', 'qvhighlights', '--since', '2000-01-01']);
    const docs = fs
      .readFileSync(qv, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { vid: string; relevant_windows: number[][] });
    expect(docs.find((d) => d.vid === 'rec4')?.relevant_windows).toEqual([]);
  });

  it('says what is wrong with its options in one line, exit 2', async () => {
    const cases = [
      ['export-training', '--format', 'grpo'],
      ['export-training', '--out', path.join(home, 'x'), '--format', 'coco'],
      ['export-training', '--out', path.join(home, 'x'), '--format', 'grpo', '--since', 'yesterday'],
      ['export-training', '--out', path.join(home, 'x'), '--format', 'charades', '--id', 'grpo'],
      ['export-training', '--out', path.join(home, 'no', 'x'), '--format', 'grpo'],
    ];
    for (const args of cases) {
      const run = await tempo(home, args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(stderrLines(run), args.join(' ')).toHaveLength(1);
    }
  });
});

describe('tempo eval --verdicts and calibrate', () => {
  it('scores two models on the reviewed set, with the review load', async () => {
    const home = reviewedHome();
    const { doc } = await tempoJson<VerdictEval>(home, ['eval', '--verdicts', '--model', 'A', '--model', 'B']);
    expect(doc.pairs).toBe(4);
    expect(doc.models.map((m) => [m.model, m.n, m.refusal.refused])).toEqual([
      ['A', 4, 1],
      ['B', 4, 2],
    ]);
    expect(doc.models[0]?.reviewLoad.share).toBeCloseTo(51 / 350, 10);
    const human = await tempo(home, ['verdict-eval']);
    expect(human.stdout).toContain('A: 4 reviewed pairs (3 with the moment, 1 without)');
    expect(human.stdout).toMatch(/review load: watch 14\.6% of 5\.8 min .* at recall 66\.7% of 3 moments/);
  });

  it('keeps a model with few verdicts on its own confidence', async () => {
    const home = reviewedHome();
    const { doc } = await tempoJson<{ models: { modelName: string; method: string; n: number }[] }>(home, [
      'calibrate',
      '--model',
      'A',
    ]);
    expect(doc.models).toEqual([expect.objectContaining({ modelName: 'A', method: 'identity', n: 5 })]);
  });
});

describe('tempo models install', () => {
  let usb: string;
  let clip: string;
  beforeAll(async () => {
    usb = tempHome();
    await makeTinyQwen2VL(path.join(usb, 'finetune'), { contextTokens: 512, answer: '2-5' });
    clip = await makeVideo({
      durationS: 10,
      width: 320,
      height: 180,
      events: [{ kind: 'box', from: 2.2, to: 5.4, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
    });
  });

  it('refuses a broken folder in one line, exit 2, leaving nothing behind', async () => {
    const home = tempHome();
    const broken = writeModelFolder(path.join(usb, 'broken'));
    fs.writeFileSync(path.join(broken, 'config.json'), '');
    const run = await tempo(home, ['models', 'install', broken]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`tempo: cannot install: ${broken}: config.json is empty\n`);
    expect(installedModels(home)).toEqual([]);
  });

  it('installs a fine-tune that is listed at once, grounds with it and calibrates its confidences', async () => {
    const home = tempHome();
    await tempoJson(home, ['import', clip]);
    const { doc } = await tempoJson(home, ['models', 'install', path.join(usb, 'finetune'), '--name', 'tuned']);
    expect(doc).toMatchObject({ name: 'tuned', dir: path.join(home, 'models', 'tuned'), family: 'qwen2_vl' });
    const listed = await tempoJson<{ models: { name: string; complete: boolean }[] }>(home, ['models']);
    expect(listed.doc.models).toEqual([expect.objectContaining({ name: 'tuned', complete: true })]);

    // 30 reviewed segments of 'tuned' give it a calibrator.
    const db = openDatabase(storeFile(home));
    seedThirtyReviewed(db, 1, 'tuned');
    db.close();
    const cal = await tempoJson<{ models: { method: string; n: number; points: number[][] }[] }>(home, [
      'calibrate',
      '--model',
      'tuned',
    ]);
    const points: [number, number][] = [
      [0.2, 0.15],
      [0.5, 0.15],
      [0.8, 0.9],
    ];
    expect(cal.doc.models[0]).toMatchObject({ method: 'isotonic', n: 30, points });

    const ground = await tempoJson<GroundResult>(home, ['ground', '1', 'a box', '--model', 'tuned', '--samples', '1']);
    expect(ground.doc.model).toBe('tuned');
    expect(ground.doc.segments.length).toBeGreaterThan(0);
    const rows = queryRows<{ confidence: number; raw: number }>(
      home,
      'SELECT confidence, raw_confidence AS raw FROM segments WHERE run_id = ?',
      ground.doc.runId,
    );
    const [run] = queryRows<{ settings: string }>(home, 'SELECT settings FROM runs WHERE id = ?', ground.doc.runId);
    const settings = JSON.parse(run!.settings) as { calibration: unknown };
    // What the operator sees is the model's own confidence through the fitted map; the model's is kept.
    for (const r of rows) {
      expect(r.confidence).toBeCloseTo(applyCalibration(points, r.raw), 10);
      expect(r.confidence).not.toBe(r.raw);
    }
    expect(settings.calibration).toMatchObject({ method: 'isotonic', n: 30 });
  });
});
