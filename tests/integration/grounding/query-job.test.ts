/**
 * `query.run` as the workstation asks it: one 'query' job over the library (real ffmpeg, real
 * SQLite, the tiny parrot Qwen2-VL in this process), its one progress over every recording,
 * `query.results` rows per recording derived from it (done, running, queued, cancelled) and
 * the segments ranked across recordings; a cancel midway keeps the runs already written.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, type CallOutput } from '../../../src-shared/api.js';
import { QueryJobResult, type Job } from '../../../src-shared/jobs.js';
import { handle } from '../../../src-main/engine/api/handlers.js';
import { queryResults } from '../../../src-main/engine/api/queries.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { makeTinyQwen2VL } from '../../fixtures/tiny-qwen2vl/generate.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { jobSettled } from '../../support/engine.js';
import { tempHome, tempoJson } from '../../support/tempo-cli.js';

let home: string;
let engine: Engine;

beforeAll(async () => {
  home = tempHome();
  const clips = await Promise.all(
    ['0x304050', '0x503040', '0x405030'].map((background, i) =>
      makeVideo({
        durationS: 14,
        width: 320,
        height: 180,
        background,
        events: [{ kind: 'box', from: 2 + 3 * i, to: 6 + 3 * i, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
      }),
    ),
  );
  await makeTinyQwen2VL(path.join(home, 'models', 'parrot'), { contextTokens: 128, answer: '2-5' });
  await tempoJson(home, ['import', ...clips]);
  engine = Engine.open(home);
  engine.settings.set({ samples: 1 });
});

afterAll(async () => {
  await engine.shutdown();
});

async function results(queryId: number): Promise<CallOutput<'query.results'>> {
  return calls['query.results'].output.parse(await handle(engine, 'query.results', { queryId }));
}

async function run(text: string): Promise<{ queryId: number; job: Job }> {
  const out = calls['query.run'].output.parse(await handle(engine, 'query.run', { text, recordingIds: [] }));
  const [job, ...more] = engine.jobs.byPayload('query', 'queryId', out.query.id);
  expect(more).toEqual([]);
  return { queryId: out.query.id, job: job! };
}

describe('query.run over the library', () => {
  it('is one query job: one progress to the end, a row and a run per recording, segments ranked across them', async () => {
    const progress: number[] = [];
    engine.events.on('event', (e) => {
      if (e.kind === 'job-updated' && e.job.type === 'query') progress.push(e.job.progress);
    });
    const { queryId, job } = await run('a white box');
    expect(engine.jobs.byPayload('ground', 'queryId', queryId)).toEqual([]);
    const ended = await jobSettled(engine, job.id);
    expect(ended.state).toBe('done');
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
    expect(progress.filter((p) => p > 0 && p < 1).length).toBeGreaterThan(2);

    const out = await results(queryId);
    expect(out.runs.map((r) => [r.recordingId, r.state, r.jobId, r.progress])).toEqual([
      [1, 'done', job.id, 1],
      [2, 'done', job.id, 1],
      [3, 'done', job.id, 1],
    ]);
    for (const r of out.runs) {
      expect(r.runId).not.toBeNull();
      expect(r.model).toBe('parrot');
      expect(r.relevance.length).toBeGreaterThan(1);
    }
    const confidences = out.segments.map((s) => s.confidence as number);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    expect(new Set(out.segments.map((s) => s.recordingId)).size).toBeGreaterThan(1);
    const result = QueryJobResult.parse(ended.result);
    expect(result).toEqual({
      queryId,
      runs: out.runs.map((r) => ({ recordingId: r.recordingId, runId: r.runId })),
      failed: [],
    });
  });

  it('asked again before it ended, joins its job under the same query row', async () => {
    // Held in the queue while it is asked twice, so the second ask finds it active whatever the pace.
    const kick = engine.kick;
    engine.kick = () => undefined;
    const first = await run('a box moves');
    const second = await run('a box moves');
    engine.kick = kick;
    engine.kick();
    expect(second).toEqual({ queryId: first.queryId, job: expect.objectContaining({ id: first.job.id }) });
    expect(engine.runs.queries().filter((q) => q.text === 'a box moves')).toHaveLength(1);
    expect((await jobSettled(engine, first.job.id)).state).toBe('done');
  });

  it('cancelled midway, keeps the runs written and ends cancelled; the rows say where each recording stood', async () => {
    // The cancel comes as the second recording's first window is stored: a click at a known point.
    const store = engine.answers.store.bind(engine.answers);
    let midway: CallOutput<'query.results'> | null = null;
    engine.answers.store = (ref, answer) => {
      const stored = store(ref, answer);
      const [job] = engine.jobs.byPayload('query', 'queryId', ref.queryId);
      if (midway === null && job && engine.runs.byQueryJob(job.id).length === 1) {
        midway = calls['query.results'].output.parse(queryResults(engine, { queryId: ref.queryId }));
        engine.jobs.cancel(job.id);
      }
      return stored;
    };
    try {
      const { queryId, job } = await run('a white box falls');
      const ended = await jobSettled(engine, job.id);
      expect(ended.state).toBe('cancelled');
      const mid = midway as CallOutput<'query.results'> | null;
      expect(mid?.runs.map((r) => r.state)).toEqual(['done', 'running', 'queued']);
      // Its share read back from the job's progress (written at most every 200 ms): under 1 until its run is written.
      expect(mid?.runs[1]?.progress).toBeLessThan(1);
      expect(mid?.runs.map((r) => r.jobId)).toEqual([job.id, job.id, job.id]);
      const out = await results(queryId);
      expect(out.runs.map((r) => r.state)).toEqual(['done', 'cancelled', 'cancelled']);
      expect(engine.runs.byQueryJob(job.id)).toEqual([{ id: out.runs[0]!.runId, recordingId: 1 }]);
      expect(out.segments.every((s) => s.recordingId === 1)).toBe(true);
    } finally {
      engine.answers.store = store;
    }
  });
});
