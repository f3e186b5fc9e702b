/**
 * `tempo ground --candidates MODEL --refine URL|MODEL`: two-stage grounding with the tiny
 * Qwen2-VL (answering "6-9") as the local candidate model and a real `tempo serve-model` of it
 * (or the local model again) refining. The run stores what each stage asked and sent, and
 * which stage each segment came from; mistakes are one line before any work (exit 2).
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundResult, RunStages } from '../../../src-main/engine/api/ground.js';
import type { LibraryQueryResult } from '../../../src-main/engine/api/library-query.js';
import type { Estimate } from '../../../src-shared/estimate.js';
import { makeTinyQwen2VL } from '../../fixtures/tiny-qwen2vl/generate.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { countRows, queryRows } from '../../support/store.js';
import { startServer, stderrLines, tempHome, tempo, tempoJson, type TempoRun } from '../../support/tempo-cli.js';

const TOKEN = 'two-stage-secret-7';
const QUERY = 'a white box appears';
const ASK = ['--samples', '1', '--context', '256'];

interface Window {
  index: number;
  startS: number;
  endS: number;
  refused: boolean;
}

interface StoredStages {
  stages: RunStages & { refine: { windowPlan: Window[]; spans: { startS: number; endS: number }[] } };
  segmentStages: string[];
}

let home: string;
let server: { url: string; child: ChildProcess; done: Promise<TempoRun> };

beforeAll(async () => {
  home = tempHome();
  const serverHome = tempHome();
  const [tiny] = await Promise.all([
    makeTinyQwen2VL(path.join(serverHome, 'models', 'tiny'), { contextTokens: 256, answer: '6-9' }),
    makeTinyQwen2VL(path.join(home, 'models', 'small'), { contextTokens: 256, answer: '6-9' }),
  ]);
  const clip = await makeVideo({
    durationS: 40,
    width: 320,
    height: 180,
    events: [{ kind: 'box', from: 6, to: 10, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
  });
  await tempoJson(home, ['import', clip]);
  const s = await startServer<{ url: string }>(serverHome, [
    'serve-model',
    '--port',
    '0',
    '--token',
    TOKEN,
    '--model',
    tiny!,
  ]);
  server = { url: s.info.url, child: s.child, done: s.done };
});

afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.done;
});

/** The stored run of a query: its model, window plan (the first stage's), settings and segments. */
function storedRun(query: string) {
  const [run] = queryRows<{ id: number; model_name: string; settings: string; window_plan: string }>(
    home,
    'SELECT r.id, r.model_name, r.settings, r.window_plan FROM runs r JOIN queries q ON q.id = r.query_id WHERE q.text = ?',
    query,
  );
  if (!run) throw new Error(`no run of '${query}'`);
  const segments = queryRows<{ start_s: number }>(home, 'SELECT start_s FROM segments WHERE run_id = ?', run.id);
  return {
    model: run.model_name,
    settings: JSON.parse(run.settings) as StoredStages,
    windows: JSON.parse(run.window_plan) as Window[],
    segments: segments.length,
  };
}

describe('tempo ground in two stages', () => {
  it('refines the unsure candidates on the model server, audits the refused windows and stores each stage', async () => {
    const query = `${QUERY} (refined on a server)`;
    const { doc, run } = await tempoJson<GroundResult>(home, [
      'ground',
      '1',
      query,
      '--candidates',
      'small',
      '--refine',
      server.url,
      '--token',
      TOKEN,
      '--refine-below',
      '1',
      '--audit-share',
      '1',
      ...ASK,
    ]);
    expect(run.stderr).toBe('');
    expect(doc.model).toBe('tiny');
    const stages = doc.stages!;
    expect(stages.candidate).toMatchObject({ model: 'small', device: 'cpu', samples: 2, refineBelow: 1 });
    expect(stages.refine.model).toBe('tiny');
    expect(stages.candidate.unsure).toBeGreaterThan(0);
    expect(stages.refine.windows).toBeGreaterThan(0);
    expect(stages.refine.visualTokens).toBeGreaterThan(0);

    const stored = storedRun(query);
    expect(stored.model).toBe('tiny');
    expect(stored.settings.stages.candidate.windows).toBe(stored.windows.length);
    // Every window the candidate refused is audited (share 1); the refining backend saw only the refine spans and those.
    expect(stored.settings.stages.audit.audited).toEqual(stored.windows.filter((w) => w.refused).map((w) => w.index));
    const spans = stored.settings.stages.refine.spans;
    for (const w of stored.settings.stages.refine.windowPlan)
      expect(spans.some((s) => w.startS >= s.startS && w.endS <= s.endS)).toBe(true);
    // Nothing is kept from the first stage under a threshold of 1: each segment came from the second.
    expect(stored.settings.segmentStages).toHaveLength(stored.segments);
    expect(stored.settings.segmentStages.every((s) => s === 'refined' || s === 'audit')).toBe(true);
    const audit = stages.audit;
    expect(audit.missedShare).toBe(audit.audited.length > 0 ? audit.found / audit.audited.length : null);
  });

  it('keeps confident candidates as they are and sends nothing on under a threshold of 0 and no audit', async () => {
    const query = `${QUERY} (candidates only)`;
    const { doc } = await tempoJson<GroundResult>(home, [
      'ground',
      '1',
      query,
      '--candidates',
      'small',
      '--refine',
      'small',
      '--refine-below',
      '0',
      '--audit-share',
      '0',
      ...ASK,
    ]);
    expect(doc.stages!.refine).toMatchObject({ windows: 0, visualTokens: 0, segments: 0 });
    expect(doc.stages!.audit).toMatchObject({ windows: 0, audited: [], missedShare: null });
    expect(doc.refused).toBe(false);
    const stored = storedRun(query);
    expect(stored.settings.segmentStages).toEqual(doc.segments.map(() => 'candidate'));
  });

  it('--estimate prices each stage at the costs those runs folded, stage 2 at the share they sent it', async () => {
    const refine = ['--refine', server.url, '--token', TOKEN, '--refine-below', '1', '--audit-share', '1'];
    const args = ['ground', '1', QUERY, '--estimate', '--candidates', 'small', ...refine, '--context', '256'];
    const { doc } = await tempoJson<Estimate>(home, args);
    expect(doc).toMatchObject({ model: 'tiny', device: `remote ${server.url}`, basis: 'measured', notes: [] });
    // Both runs above measured the candidate; only the first (refining below 1, auditing all) sent stage 2 anything.
    expect(doc.twoStage?.candidate).toMatchObject({ model: 'small', device: 'cpu', runs: 2 });
    expect(doc.twoStage?.refine).toMatchObject({ runs: 1, shareRuns: 1 });
    expect(doc.twoStage?.refine.share).toBeGreaterThan(0);
    expect(doc.seconds).toBeGreaterThan(0);
    const human = await tempo(home, args);
    expect(human.stdout.split('\n')[1]).toMatch(
      /^Two stages: small on cpu reads the whole frame plan, then tiny on remote /,
    );
  });
});

describe('a query over the library in two stages', () => {
  it("runs as one query job: each run stores its stages, the first stage's windows stored for a resume", async () => {
    const query = `${QUERY} (library, two stages)`;
    const { doc } = await tempoJson<LibraryQueryResult>(home, [
      'ground',
      'all',
      query,
      '--candidates',
      'small',
      '--refine',
      server.url,
      '--token',
      TOKEN,
      '--refine-below',
      '1',
      ...ASK,
    ]);
    expect(doc).toMatchObject({ model: 'tiny', failed: [] });
    expect(doc.runs).toHaveLength(1);
    const stages = doc.runs[0]!.stages!;
    expect(stages.candidate).toMatchObject({ model: 'small', samples: 2 });
    expect(stages.refine.windows).toBeGreaterThan(0);
    expect(stages.audit.share).toBe(0.05);
    const stored = storedRun(query);
    // The window answers stored as they came are the candidate's, one per first-stage window.
    const answers = queryRows<{ n: number }>(
      home,
      'SELECT COUNT(*) AS n FROM window_answers WHERE query_id = ?',
      doc.queryId,
    )[0]!.n;
    expect(answers).toBe(stored.windows.length);
    expect(stored.settings.segmentStages).toHaveLength(stored.segments);
  });
});

describe('tempo ground in two stages: mistakes found before any work', () => {
  it('names a candidate model that is not installed, a bad threshold or share, and two-stage options alone (exit 2)', async () => {
    const jobs = countRows(home, 'jobs');
    const cases: [string[], RegExp][] = [
      [['--candidates', 'nosuch', '--refine', server.url], /^tempo: --candidates: .*nosuch/],
      [
        ['--candidates', 'small', '--refine', server.url, '--refine-below', '1.5'],
        /--refine-below must be a number from 0 to 1$/,
      ],
      [
        ['--candidates', 'small', '--refine', server.url, '--audit-share', 'x'],
        /--audit-share must be a number from 0 to 1$/,
      ],
      [['--candidates', 'small'], /--candidates needs a refining backend: --refine URL\|MODEL$/],
      [['--refine', server.url], /--refine, --refine-below and --audit-share are for two stages: name --candidates$/],
    ];
    for (const [args, line] of cases) {
      const run = await tempo(home, ['ground', '1', QUERY, ...args, '--token', TOKEN]);
      expect(run.code, args.join(' ')).toBe(2);
      const lines = stderrLines(run);
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(line);
    }
    expect(countRows(home, 'jobs')).toBe(jobs);
  });
});
