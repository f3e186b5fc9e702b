/** Window answers stored as a query job gets them, the failures it notes, and the runs it writes one per recording. */
import { afterEach, describe, expect, it } from 'vitest';
import type { DenseLook } from '../../../src-main/engine/grounding/dense-looks.js';
import type { WindowAnswer } from '../../../src-main/engine/grounding/window-answers.js';
import { RecordingsRepo } from '../../../src-main/engine/store/recordings.js';
import { RunFailuresRepo } from '../../../src-main/engine/store/run-failures.js';
import { RunsRepo } from '../../../src-main/engine/store/runs.js';
import { WindowAnswersRepo } from '../../../src-main/engine/store/window-answers.js';
import { seedRecording, seedRun } from '../../fixtures/seed-store.js';
import { openTempStore } from '../../support/store.js';

let store: ReturnType<typeof openTempStore> | undefined;
afterEach(() => store?.close());

function open() {
  store = openTempStore();
  const { db } = store;
  const recordings = new RecordingsRepo(db);
  const runs = new RunsRepo(db);
  const recordingId = seedRecording(recordings, { path: '/videos/a.mp4', fingerprint: 'fp-a', durationS: 30 });
  const other = seedRecording(recordings, { path: '/videos/b.mp4', fingerprint: 'fp-b', durationS: 30 });
  const queryId = runs.createQuery('a box falls');
  const now = new Date().toISOString();
  const jobId = Number(
    db
      .prepare(
        "INSERT INTO jobs (type, state, payload, created_at, updated_at) VALUES ('query', 'running', '{}', ?, ?)",
      )
      .run(now, now).lastInsertRowid,
  );
  return {
    db,
    runs,
    answers: new WindowAnswersRepo(db),
    failures: new RunFailuresRepo(db),
    recordingId,
    other,
    queryId,
    jobId,
  };
}

function answer(index: number, found: boolean): WindowAnswer {
  return {
    outcome: {
      index,
      startS: index * 8,
      endS: index * 8 + 10,
      frames: 12,
      visualTokens: 120,
      answers: ['2-5', '3-5'],
      refused: !found,
    },
    found: found
      ? { startS: index * 8 + 2, endS: index * 8 + 5, confidence: 0.7, window: index, agreement: 0.5, pAnswer: 0.9 }
      : null,
    notes: found ? [] : [`window ${index}: unparsed answer`],
  };
}

describe('WindowAnswersRepo', () => {
  it('gives back what it stored under a plan, by window index, exactly', () => {
    const { answers, recordingId, queryId } = open();
    const ref = { queryId, recordingId, planKey: 'plan-a' };
    expect(answers.store(ref, answer(0, true))).toBe(true);
    expect(answers.store(ref, answer(2, false))).toBe(true);
    const back = answers.forPlan(ref);
    expect([...back.keys()]).toEqual([0, 2]);
    expect(back.get(0)).toEqual(answer(0, true));
    expect(back.get(2)).toEqual(answer(2, false));
    expect(answers.count(queryId)).toBe(2);
  });

  it('keeps the first answer of a window stored twice, and keeps plans, recordings and queries apart', () => {
    const { answers, recordingId, other, queryId, runs } = open();
    const ref = { queryId, recordingId, planKey: 'plan-a' };
    answers.store(ref, answer(1, true));
    const again = { ...answer(1, false), notes: ['later'] };
    expect(answers.store(ref, again)).toBe(false);
    expect(answers.forPlan(ref).get(1)).toEqual(answer(1, true));
    answers.store({ ...ref, planKey: 'plan-b' }, answer(1, false));
    answers.store({ ...ref, recordingId: other }, answer(1, false));
    const second = runs.createQuery('a box falls');
    answers.store({ ...ref, queryId: second }, answer(1, false));
    expect(answers.forPlan(ref).size).toBe(1);
    expect(answers.forPlan({ ...ref, planKey: 'plan-b' }).get(1)).toEqual(answer(1, false));
    expect(answers.count(queryId)).toBe(3);
    expect(answers.count(queryId, other)).toBe(1);
    expect(answers.forPlan({ ...ref, planKey: 'none' }).size).toBe(0);
  });

  it("stores a plan's dense looks apart from its windows, once each, and gives them back exactly", () => {
    const { answers, recordingId, queryId } = open();
    const ref = { queryId, recordingId, planKey: 'plan-a' };
    answers.store(ref, answer(0, true));
    const refined = { startS: 2.1, endS: 5.3, confidence: 0.7, window: 0, agreement: 0.5, pAnswer: 0.9 };
    const look: DenseLook = { index: 0, asked: { startS: 2, endS: 5 }, refined, note: null };
    const noted: DenseLook = {
      index: 1,
      asked: { startS: 18, endS: 20 },
      refined: { ...refined, window: 2 },
      note: 'unparsed',
    };
    expect(answers.storeDense(ref, look)).toBe(true);
    expect(answers.storeDense(ref, noted)).toBe(true);
    expect(answers.storeDense(ref, { ...look, note: 'later' })).toBe(false);
    expect(answers.denseFor(ref)).toEqual(
      new Map([
        [0, look],
        [1, noted],
      ]),
    );
    // The windows are as they were: the looks are neither windows nor counted as such.
    expect([...answers.forPlan(ref).keys()]).toEqual([0]);
    expect(answers.count(queryId)).toBe(1);
    expect(answers.count(queryId, recordingId)).toBe(1);
    expect(answers.denseFor({ ...ref, planKey: 'plan-b' }).size).toBe(0);
  });
});

describe('RunFailuresRepo', () => {
  it('notes a recording once per job, in the order they came', () => {
    const { failures, recordingId, other, queryId, jobId } = open();
    failures.record({ queryId, recordingId: other, jobId, error: '/videos/b.mp4: no such file' });
    failures.record({ queryId, recordingId, jobId, error: 'unreadable' });
    failures.record({ queryId, recordingId, jobId, error: 'again' });
    expect(failures.byJob(jobId).map((f) => [f.recordingId, f.error])).toEqual([
      [other, '/videos/b.mp4: no such file'],
      [recordingId, 'unreadable'],
    ]);
    expect(failures.byJob(jobId + 1)).toEqual([]);
  });
});

describe("a query job's runs", () => {
  it('are one per recording, named by the job, and listed by it', () => {
    const { db, runs, recordingId, other, queryId, jobId } = open();
    const a = seedRun(runs, {
      recordingId,
      queryId,
      queryJobId: jobId,
      segments: [{ startS: 1, endS: 2, confidence: 0.5 }],
    });
    const b = seedRun(runs, { recordingId: other, queryId, queryJobId: jobId, segments: [] });
    expect(runs.byQueryJob(jobId)).toEqual([
      { id: a, recordingId },
      { id: b, recordingId: other },
    ]);
    expect(runs.byQuery(queryId).map((r) => r.jobId)).toEqual([jobId, jobId]);
    expect(() => seedRun(runs, { recordingId, queryId, queryJobId: jobId, segments: [] })).toThrow(/UNIQUE/);
    expect(db.prepare('SELECT count(*) AS n FROM runs WHERE job_id IS NULL').get()).toEqual({ n: 2 });
  });
});
