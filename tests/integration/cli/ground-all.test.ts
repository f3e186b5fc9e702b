/**
 * `tempo ground all "QUERY"` and `tempo ground ID ID "QUERY"`: one query over several
 * recordings as one 'query' job, with real ffmpeg, real SQLite and the tiny parrot Qwen2-VL
 * through transformers.js: a run for every recording, every window's answer stored once, and
 * the segments ranked across recordings. A recording whose file is gone fails alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LibraryQueryResult } from '../../../src-main/engine/api/library-query.js';
import { makeTinyQwen2VL } from '../../fixtures/tiny-qwen2vl/generate.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { countRows, queryRows } from '../../support/store.js';
import { tempHome, tempo, tempoJson } from '../../support/tempo-cli.js';

let home: string;
let model: string;
let clips: string[];

beforeAll(async () => {
  home = tempHome();
  // Three short clips, each its own content (its own background and box), so three recordings.
  clips = await Promise.all(
    [
      ['0x404040', 3],
      ['0x203040', 5],
      ['0x402030', 7],
    ].map(([background, from]) =>
      makeVideo({
        durationS: 14,
        width: 320,
        height: 180,
        background: background as string,
        events: [
          { kind: 'box', from: from as number, to: (from as number) + 4, x: 40, y: 40, w: 80, h: 80, color: 'white' },
        ],
      }),
    ),
  );
  // A small context: each plan is cut into several windows. It answers "2-5" whatever it sees.
  model = await makeTinyQwen2VL(path.join(home, 'models', 'parrot'), { contextTokens: 128, answer: '2-5' });
  // Copies in the data folder: a test moves one away, never the shared fixture.
  clips = clips.map((clip, i) => {
    const copy = path.join(home, `camera-${i + 1}.mp4`);
    fs.copyFileSync(clip, copy);
    return copy;
  });
  await tempoJson(home, ['import', ...clips]);
});

const windowsOf = (plan: string): number => (JSON.parse(plan) as unknown[]).length;

describe('tempo ground all', () => {
  it('grounds every recording as one query job and ranks the segments across recordings', async () => {
    const { doc, run } = await tempoJson<LibraryQueryResult>(home, ['ground', 'all', 'a white box', '--samples', '1']);
    expect(run.stderr).toBe('');
    expect(doc).toMatchObject({ query: 'a white box', model: 'parrot', device: 'cpu', failed: [] });
    expect(doc.runs.map((r) => r.recordingId)).toEqual([1, 2, 3]);
    expect(queryRows(home, 'SELECT type, state, attempts FROM jobs WHERE type IN (?, ?)', 'query', 'ground')).toEqual([
      { type: 'query', state: 'done', attempts: 1 },
    ]);
    const runs = queryRows<{
      id: number;
      recording_id: number;
      query_job_id: number;
      job_id: null;
      window_plan: string;
      timings: string;
    }>(home, 'SELECT id, recording_id, query_job_id, job_id, window_plan, timings FROM runs ORDER BY id');
    expect(runs.map((r) => [r.recording_id, r.query_job_id, r.job_id])).toEqual([
      [1, doc.jobId, null],
      [2, doc.jobId, null],
      [3, doc.jobId, null],
    ]);
    expect(countRows(home, 'queries')).toBe(1);
    // Every window asked once and stored once; none taken from before on a first run.
    const planned = runs.reduce((sum, r) => sum + windowsOf(r.window_plan), 0);
    expect(runs.every((r) => windowsOf(r.window_plan) > 1)).toBe(true);
    // The dense looks at the merged segments are stored beside the windows, under the plan's key + '#dense'.
    const rowsOf = (where: string) =>
      queryRows<{ n: number }>(home, `SELECT count(*) AS n FROM window_answers WHERE plan_key ${where}`)[0]!.n;
    expect(rowsOf("NOT LIKE '%#dense'")).toBe(planned);
    expect(rowsOf("LIKE '%#dense'")).toBeGreaterThan(0);
    expect(countRows(home, 'window_answers')).toBe(planned + rowsOf("LIKE '%#dense'"));
    for (const r of runs) {
      expect(JSON.parse(r.timings)).toMatchObject({
        windowsAsked: windowsOf(r.window_plan),
        windowsReused: 0,
        refinesReused: 0,
      });
    }
    // Ranked across recordings: most confident first, from more than one recording.
    const confidences = doc.segments.map((s) => s.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    expect(new Set(doc.segments.map((s) => s.recordingId)).size).toBeGreaterThan(1);
    expect(doc.segments.length).toBe(countRows(home, 'segments'));
    // Each run's measured cost is folded in, as a ground job's is.
    expect(queryRows(home, "SELECT runs FROM costs WHERE model = 'parrot'")).toEqual([{ runs: 3 }]);
  });

  it('takes ids too, says the ranked segments in lines, and goes on past a recording whose file is gone', async () => {
    const gone = path.join(path.dirname(clips[1]!), 'moved-away.mp4');
    fs.renameSync(clips[1]!, gone);
    try {
      const run = await tempo(home, ['ground', '1', '2', '3', 'a box', '--samples', '1', '--model', model]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/^tempo: recording 2 failed: .+\n$/);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^"a box" in 2 recordings \(parrot on cpu\): \d+ segments in 2 of them$/);
      const line = /^ +\d+\. recording [13] {2}\d+:\d\d\.\d - \d+:\d\d\.\d {2}\d+%$/;
      expect(lines.slice(1).filter((l) => !line.test(l))).toEqual([]);
      expect(lines.length).toBeGreaterThan(1);
      const [job] = queryRows<{ id: number; result: string }>(
        home,
        "SELECT id, result FROM jobs WHERE type = 'query' ORDER BY id DESC LIMIT 1",
      );
      const result = JSON.parse(job!.result) as { runs: { recordingId: number }[]; failed: { recordingId: number }[] };
      expect(result.runs.map((r) => r.recordingId)).toEqual([1, 3]);
      expect(result.failed.map((f) => f.recordingId)).toEqual([2]);
      expect(queryRows(home, 'SELECT recording_id FROM run_failures WHERE job_id = ?', job!.id)).toEqual([
        { recording_id: 2 },
      ]);
    } finally {
      fs.renameSync(gone, clips[1]!);
    }
  });
});
