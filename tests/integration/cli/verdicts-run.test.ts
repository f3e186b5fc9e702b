/** `tempo eval --verdicts --run`: a model installed after the review is scored on the reviewed set at once. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GroundResult } from '../../../src-main/engine/api/ground.js';
import type { VerdictEval } from '../../../src-main/engine/learning/verdict-eval.js';
import { openDatabase } from '../../../src-main/engine/store/db.js';
import { SegmentsRepo } from '../../../src-main/engine/store/segments.js';
import { makeTinyQwen2VL } from '../../fixtures/tiny-qwen2vl/generate.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { storeFile } from '../../support/store.js';
import { tempHome, tempoJson } from '../../support/tempo-cli.js';

let home: string;

beforeAll(async () => {
  home = tempHome();
  // Two parrots: one answers where the box is (2-5 s), the other where it is not (6-8 s).
  await makeTinyQwen2VL(path.join(home, 'models', 'right'), { answer: '2-5', contextTokens: 512 });
  await makeTinyQwen2VL(path.join(home, 'models', 'wrong'), { answer: '6-8', contextTokens: 512 });
  const clip = await makeVideo({
    durationS: 10,
    width: 320,
    height: 180,
    events: [{ kind: 'box', from: 2.2, to: 5.4, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
  });
  await tempoJson(home, ['import', clip]);
  const { doc } = await tempoJson<GroundResult>(home, [
    'ground',
    '1',
    'a white box',
    '--model',
    'right',
    '--samples',
    '1',
  ]);
  expect(doc.segments).toHaveLength(1);
  // The operator accepts the one segment.
  const db = openDatabase(storeFile(home));
  const segments = new SegmentsRepo(db);
  const [seg] = segments.byQuery(segments.get(1)!.queryId);
  segments.verdict(seg!.id, { kind: 'accept' });
  db.close();
});

describe('tempo eval --verdicts', () => {
  it('gives a model with no runs n = 0, and --run answers the reviewed queries with it first', async () => {
    const before = await tempoJson<VerdictEval>(home, ['eval', '--verdicts', '--model', 'right', '--model', 'wrong']);
    expect(before.doc.pairs).toBe(1);
    expect(before.doc.models.map((m) => [m.model, m.n])).toEqual([
      ['right', 1],
      ['wrong', 0],
    ]);
    const after = await tempoJson<VerdictEval>(home, ['eval', '--verdicts', '--model', 'wrong', '--run']);
    expect(after.doc.models[0]).toMatchObject({ model: 'wrong', n: 1, r1At05: 0 });
    const both = await tempoJson<VerdictEval>(home, ['eval', '--verdicts', '--model', 'right', '--model', 'wrong']);
    expect(both.doc.models.map((m) => [m.model, m.n, m.r1At05])).toEqual([
      ['right', 1, 1],
      ['wrong', 1, 0],
    ]);
    // Running again finds nothing left to run.
    const again = await tempoJson<VerdictEval>(home, ['eval', '--verdicts', '--model', 'wrong', '--run']);
    expect(again.doc.models[0]?.n).toBe(1);
  });
});
