/**
 * kill -9 during `tempo ground all`, then the same command again: the rerun takes over the
 * query job and goes on where it stopped. Every window answered before the kill is taken from
 * the store, not asked again; the recordings done before it keep their runs; one run per
 * recording in the end, and nothing left queued.
 *
 * The kill lands mid-query by construction, not by timing luck: the test watches the store
 * (read-only) until a recording has a run and the next one has stored answers but no run, then
 * takes the store's write lock, so the job can write nothing more, reads the state again under
 * it, and kills the process while it holds it: what the kill left is exactly what it read.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LibraryQueryResult } from '../../src-main/engine/api/library-query.js';
import { makeTinyQwen2VL } from '../fixtures/tiny-qwen2vl/generate.js';
import { makeVideo } from '../fixtures/make-video.js';
import { countRows as count, queryRows as rows, storeFile } from '../support/store.js';
import { startTempo, tempHome, tempo, tempoJson } from '../support/tempo-cli.js';
import { until } from '../support/wait.js';

let clips: string[];
let model: string;

beforeAll(async () => {
  clips = await Promise.all(
    ['0x405060', '0x604050', '0x506040'].map((background, i) =>
      makeVideo({
        durationS: 20,
        width: 320,
        height: 180,
        background,
        events: [{ kind: 'box', from: 4 + 3 * i, to: 9 + 3 * i, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
      }),
    ),
  );
  // A small context: each plan is cut into several windows, each answered as it comes.
  model = await makeTinyQwen2VL(path.join(tempHome(), 'parrot'), { contextTokens: 128, answer: '2-5' });
});

/**
 * What the store holds of the query: the runs written, and per recording the window answers and
 * the dense looks (stored under the plan's key + '#dense') stored.
 */
interface Stored {
  runs: { id: number; recordingId: number }[];
  answers: Map<number, number>;
  looks: Map<number, number>;
}

function stored(db: Database.Database): Stored {
  const runs = db.prepare('SELECT id, recording_id AS recordingId FROM runs ORDER BY id').all() as Stored['runs'];
  const perRecording = (where: string) => {
    const counts = db
      .prepare(`SELECT recording_id AS recordingId, count(*) AS n FROM window_answers WHERE ${where} GROUP BY 1`)
      .all() as { recordingId: number; n: number }[];
    return new Map(counts.map((c) => [c.recordingId, c.n]));
  };
  return { runs, answers: perRecording("plan_key NOT LIKE '%#dense'"), looks: perRecording("plan_key LIKE '%#dense'") };
}

/** Midway: a recording done, another one started (answers stored, no run yet), not all done. */
function midway(s: Stored): boolean {
  const done = new Set(s.runs.map((r) => r.recordingId));
  return s.runs.length >= 1 && done.size < 3 && [...s.answers.keys()].some((id) => !done.has(id));
}

/**
 * Waits until the query is midway, then holds the store's write lock (the job can store
 * nothing more) and returns what it holds, read under the lock, with the lock to let go.
 */
async function frozenMidway(home: string, exited: () => boolean): Promise<{ state: Stored; release: () => void }> {
  return until(
    'the query to be midway',
    () => {
      if (exited()) throw new Error('tempo ended before the query was midway');
      const seen = new Database(storeFile(home), { readonly: true, timeout: 2000 });
      const ready = (() => {
        try {
          return midway(stored(seen));
        } catch {
          return false; // not migrated yet
        } finally {
          seen.close();
        }
      })();
      if (!ready) return undefined;
      const lock = new Database(storeFile(home), { timeout: 2000 });
      lock.exec('BEGIN IMMEDIATE');
      const state = stored(lock);
      const release = () => {
        lock.exec('ROLLBACK');
        lock.close();
      };
      if (midway(state)) return { state, release };
      release();
      return undefined;
    },
    120_000,
    5,
  );
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('kill -9 during tempo ground all, then the same command again', () => {
  const args = () => ['ground', 'all', 'a white box appears', '--model', model, '--samples', '2'];

  it('goes on where it stopped: no window asked twice, one run per recording, nothing left queued', async () => {
    const home = tempHome();
    await tempoJson(home, ['import', ...clips]);
    const { child, done } = startTempo(home, ['--json', ...args()]);
    let exited = false;
    void done.then(() => (exited = true));
    const { state: atKill, release } = await frozenMidway(home, () => exited);
    child.kill('SIGKILL');
    const killed = await done;
    release();
    expect(killed.signal).toBe('SIGKILL');
    const doneAtKill = new Set(atKill.runs.map((r) => r.recordingId));
    // Answers stored for recordings without a run: what the rerun must take instead of asking.
    const pending = sum([...atKill.answers].filter(([id]) => !doneAtKill.has(id)).map(([, n]) => n));
    expect(pending).toBeGreaterThan(0);
    // Dense looks stored for those recordings (often none yet): each taken, not asked again.
    const pendingLooks = sum([...atKill.looks].filter(([id]) => !doneAtKill.has(id)).map(([, n]) => n));

    const rerun = await tempoJson<LibraryQueryResult>(home, args());
    expect(rerun.doc.runs.map((r) => r.recordingId)).toEqual([1, 2, 3]);
    expect((await tempo(home, ['--json', 'jobs', 'run'])).code).toBe(0);

    expect(rows(home, "SELECT state, attempts FROM jobs WHERE type IN ('query', 'ground')")).toEqual([
      { state: 'done', attempts: 2 },
    ]);
    expect(count(home, 'queries')).toBe(1);
    const runs = rows<{ id: number; recording_id: number; window_plan: string; timings: string }>(
      home,
      'SELECT id, recording_id, window_plan, timings FROM runs ORDER BY id',
    );
    expect(runs.map((r) => r.recording_id).sort()).toEqual([1, 2, 3]);
    // The runs written before the kill are the same rows.
    expect(runs.slice(0, atKill.runs.length).map((r) => ({ id: r.id, recordingId: r.recording_id }))).toEqual(
      atKill.runs,
    );
    const windows = runs.map((r) => (JSON.parse(r.window_plan) as unknown[]).length);
    const timings = runs.map(
      (r) => JSON.parse(r.timings) as { windowsAsked: number; windowsReused: number; refinesReused: number },
    );
    const planned = sum(windows);
    // Every window of every plan stored once; asked once in all, before or after the kill.
    const windowRows = rows<{ n: number }>(
      home,
      "SELECT count(*) AS n FROM window_answers WHERE plan_key NOT LIKE '%#dense'",
    );
    expect(windowRows[0]?.n).toBe(planned);
    expect(sum(timings.map((t) => t.refinesReused))).toBe(pendingLooks);
    expect(sum(timings.map((t) => t.windowsAsked + t.windowsReused))).toBe(planned);
    expect(sum(timings.map((t) => t.windowsReused))).toBe(pending);
    expect(sum(timings.map((t) => t.windowsAsked))).toBe(planned - pending);
    runs.forEach((r, i) => {
      if (doneAtKill.has(r.recording_id)) expect(timings[i]).toMatchObject({ windowsReused: 0, refinesReused: 0 });
    });
    expect(count(home, 'segments')).toBe(rerun.doc.segments.length);
  });
});
