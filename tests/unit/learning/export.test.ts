import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliError } from '../../../src-main/cli/errors.js';
import { UsageError } from '../../../src-main/engine/errors.js';
import { defaultExportId, exportTraining } from '../../../src-main/engine/learning/export/export.js';
import type { TrainingRecord } from '../../../src-main/engine/learning/export/records.js';
import type { DB } from '../../../src-main/engine/store/db.js';
import { ExportsRepo } from '../../../src-main/engine/store/exports.js';
import { SegmentsRepo } from '../../../src-main/engine/store/segments.js';
import { buildReviewedLibrary, QUERY, type ReviewedLibrary } from '../../fixtures/reviewed-library.js';
import { openTempStore } from '../../support/store.js';

let db: DB;
let close: () => void;
let lib: ReviewedLibrary;

beforeEach(() => {
  ({ db, close } = openTempStore());
  lib = buildReviewedLibrary(db);
});

afterEach(() => close());

const text = (b: Buffer) => b.toString('utf8');
const records = (b: Buffer) =>
  text(b)
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as TrainingRecord);
const verdictOf = (segmentId: number) =>
  (
    db.prepare('SELECT max(id) AS id FROM verdicts WHERE segment_id = ? AND undone = 0').get(segmentId) as {
      id: number;
    }
  ).id;
const frames = (...ts: number[]) => ts.map((t) => ({ t, width: 56, height: 28, tokens: 2 }));

describe('exportTraining: grpo', () => {
  it('gives a span per accepted, adjusted or added moment and a refusal per not-present rejection', () => {
    const r = exportTraining({ db }, { format: 'grpo' });
    expect(r).toMatchObject({ id: 'grpo', created: true, records: 4, verdicts: 4 });
    // Not-present on r1 lies in windows that hold the accepted moment: no refusal sample; wrong-time: none either.
    expect(r.skipped).toEqual({
      'wrong-time': 1,
      partly: 0,
      'refusal-overlaps-moment': 1,
      'already-exported': 0,
      'not-in-format': 0,
    });
    const [accepted, adjusted, added, refusal] = records(r.content);
    expect(accepted).toEqual({
      verdictId: verdictOf(lib.segments.accepted),
      segmentId: lib.segments.accepted,
      queryId: lib.queryA,
      recordingId: lib.recordings.r1,
      runId: accepted!.runId,
      video: '/videos/r1.mp4',
      durationS: 100,
      query: QUERY,
      answer: { startS: 10, endS: 20 },
      clip: { startS: 0, endS: 100 },
      framePlan: frames(0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100),
      verdict: { kind: 'accept', reason: null, source: 'operator', at: accepted!.verdict.at },
      modelSpan: { startS: 10, endS: 20 },
      modelConfidence: 0.9,
      model: 'A',
      profile: 'qwen2-vl',
    });
    expect(adjusted).toMatchObject({
      answer: { startS: 32, endS: 40 },
      modelSpan: { startS: 30, endS: 40 },
      verdict: { kind: 'adjust' },
    });
    // The moment the model missed: the run that missed it is A's refused run on r3.
    expect(added).toMatchObject({
      segmentId: lib.segments.added,
      answer: { startS: 5, endS: 10 },
      modelSpan: null,
      modelConfidence: null,
      model: 'A',
      verdict: { kind: 'add' },
    });
    expect(added!.framePlan).toHaveLength(6);
    // The refusal covers the window (0-30 s) that held the rejected segment, with its frames.
    expect(refusal).toMatchObject({
      recordingId: lib.recordings.r4,
      answer: null,
      clip: { startS: 0, endS: 30 },
      framePlan: frames(0, 10, 20, 30),
      modelSpan: { startS: 0, endS: 10 },
      verdict: { kind: 'reject', reason: 'not-present' },
    });
  });

  it('gives the same bytes under the same id, whatever happens later; a new id takes only new verdicts', () => {
    const first = exportTraining({ db }, { format: 'grpo' });
    const segments = new SegmentsRepo(db);
    const b = db
      .prepare("SELECT s.id FROM segments s JOIN runs r ON r.id = s.run_id WHERE r.model_name = 'B'")
      .get() as {
      id: number;
    };
    segments.verdict(b.id, { kind: 'accept' });
    // An exported verdict goes (the add is undone: its segment and verdict are deleted).
    db.prepare('DELETE FROM segments WHERE id = ?').run(lib.segments.added);
    const again = exportTraining({ db }, { format: 'grpo' });
    expect(again).toMatchObject({ id: 'grpo', created: false, records: 4, sha256: first.sha256 });
    expect(again.content.equals(first.content)).toBe(true);

    const next = exportTraining({ db }, { format: 'grpo', id: 'round-2' });
    expect(next).toMatchObject({ created: true, records: 1 });
    expect(next.skipped['already-exported']).toBe(3);
    expect(records(next.content)[0]).toMatchObject({ segmentId: b.id, model: 'B', answer: { startS: 12, endS: 22 } });

    // Nothing new: an empty file, and the id stays free.
    const none = exportTraining({ db }, { format: 'grpo', id: 'round-3' });
    expect(none).toMatchObject({ created: false, records: 0, verdicts: 0 });
    expect(none.content.length).toBe(0);
    expect(new ExportsRepo(db).get('round-3')).toBeUndefined();
  });

  it('binds an id to its options', () => {
    exportTraining({ db }, { format: 'grpo', id: 'mine' });
    expect(() => exportTraining({ db }, { format: 'charades', id: 'mine' })).toThrow(UsageError);
    let err: unknown;
    try {
      exportTraining({ db }, { format: 'grpo', id: 'mine', model: 'A' });
    } catch (e) {
      err = e;
    }
    // The engine speaks of its own inputs; the CLI says them as its flags.
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe("export 'mine' was made with format grpo: use those, or another export id");
    expect(cliError(err).message).toBe("export 'mine' was made with --format grpo: use those, or another --id");
  });

  it('filters by model and by the time of the verdict', () => {
    expect(exportTraining({ db }, { format: 'grpo', model: 'B' })).toMatchObject({ records: 0 });
    db.prepare("UPDATE verdicts SET created_at = '2020-01-01T00:00:00.000Z' WHERE segment_id IN (?, ?)").run(
      lib.segments.accepted,
      lib.segments.adjusted,
    );
    const r = exportTraining({ db }, { format: 'grpo', model: 'A', since: '2021-01-01T00:00:00.000Z' });
    expect(r.id).toBe('grpo.since-2021-01-01.model-A');
    expect(records(r.content).map((x) => x.segmentId)).toEqual([lib.segments.added, lib.segments.notPresentR4]);
  });
});

describe('exportTraining: charades and qvhighlights', () => {
  it('charades has a line per span; each format takes the verdicts on its own', () => {
    exportTraining({ db }, { format: 'grpo' });
    const r = exportTraining({ db }, { format: 'charades' });
    const { r1, r2, r3 } = lib.recordings;
    expect(text(r.content)).toBe(
      `rec${r1} 10.00 20.00##${QUERY}\nrec${r2} 32.00 40.00##${QUERY}\nrec${r3} 5.00 10.00##${QUERY}\n`,
    );
    expect(r).toMatchObject({ records: 3, verdicts: 3 });
    expect(r.skipped['not-in-format']).toBe(1);
  });

  it('qvhighlights has a line per query and recording, a refusal as no windows', () => {
    const r = exportTraining({ db }, { format: 'qvhighlights' });
    const docs = text(r.content)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(docs.map((d) => [d['vid'], d['duration'], d['relevant_windows']])).toEqual([
      [`rec${lib.recordings.r1}`, 100, [[10, 20]]],
      [`rec${lib.recordings.r2}`, 100, [[32, 40]]],
      [`rec${lib.recordings.r3}`, 50, [[5, 10]]],
      [`rec${lib.recordings.r4}`, 60, []],
    ]);
    expect(docs[0]).toMatchObject({ qid: verdictOf(lib.segments.accepted), query: QUERY, video: '/videos/r1.mp4' });
    expect(r).toMatchObject({ records: 4, verdicts: 4 });
  });
});

describe('defaultExportId', () => {
  it('names the format and the options', () => {
    expect(defaultExportId({ format: 'grpo', since: null, model: null })).toBe('grpo');
    expect(defaultExportId({ format: 'charades', since: '2025-03-01T12:30:00.000Z', model: 'qwen' })).toBe(
      'charades.since-2025-03-01T12:30:00.000Z.model-qwen',
    );
  });
});
