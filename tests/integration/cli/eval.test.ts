/**
 * `tempo eval` end to end: scoring benchmark files, and running the parrot model (it answers
 * "2-5" whatever it sees) over videos as a resumable job, killed with SIGKILL and resumed;
 * and running on a pool of (scripted) model servers with --per-server.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyQwen2VL } from '../../fixtures/tiny-qwen2vl/generate.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { startTempo, stderrLines, tempHome, tempo, tempoJson } from '../../support/tempo-cli.js';
import { until } from '../../support/wait.js';

const FIXTURES = path.resolve('tests/fixtures/learning');
const fixture = (name: string) => path.join(FIXTURES, name);

interface Report {
  n: number;
  'R1@0.3': number | null;
  'R1@0.5': number | null;
  'R1@0.7': number | null;
  mIoU: number | null;
  mAP?: number | null;
  ECE: number | null;
  missing: number;
  skipped: { file: string; line?: number; reason: string }[];
  predictions: string;
}

interface Line {
  id: string;
  video: string;
  refused: boolean;
  segments: { startS: number; endS: number; confidence: number }[];
}

/** Flat clips: no change points, so nothing moves the parrot's 2-5 s answer. */
const DURATIONS: Record<string, number> = { vidA: 8, vidB: 10, vidC: 12 };
/** Three queries a video; ground truth [start, end] per line. */
const TRUTH: [string, number, number][] = [
  ['vidA', 2, 5],
  ['vidB', 6, 9],
  ['vidC', 1, 5],
  ['vidA', 0, 8],
  ['vidB', 2, 4],
  ['vidC', 8, 12],
  ['vidA', 3, 4],
  ['vidB', 0, 10],
  ['vidC', 2, 6],
];

let home: string;
let videos: string;
let annotations: string;

beforeAll(async () => {
  home = tempHome();
  await makeTinyQwen2VL(path.join(home, 'models', 'parrot'), { answer: '2-5', contextTokens: 512 });
  videos = path.join(home, 'set', 'videos');
  fs.mkdirSync(videos, { recursive: true });
  for (const [name, durationS] of Object.entries(DURATIONS)) {
    const clip = await makeVideo({ durationS, width: 160, height: 96 });
    fs.copyFileSync(clip, path.join(videos, `${name}.mp4`));
  }
  annotations = path.join(home, 'set', 'charades_sta_test.txt');
  fs.writeFileSync(annotations, TRUTH.map(([v, s, e], i) => `${v} ${s} ${e}##query ${i}\n`).join(''));
});

function readLines(file: string): Line[] {
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

/** The metrics of a predictions file in percent, unrounded, worked out here from scratch (independent of the engine). */
function expectedMetrics(lines: Line[], count: number): Record<string, number> {
  const byId = new Map(lines.map((l) => [l.id, l]));
  const seen = new Map<string, number>();
  const ious = TRUTH.slice(0, count).map(([video, gs, ge]) => {
    const n = seen.get(video) ?? 0;
    seen.set(video, n + 1);
    const top = byId.get(`${video}#${n}`)?.segments[0];
    if (!top) return 0;
    const s = Math.max(0, Math.min(top.startS, DURATIONS[video] as number));
    const e = Math.max(s, Math.min(top.endS, DURATIONS[video] as number));
    const inter = Math.max(0, Math.min(e, ge) - Math.max(s, gs));
    const hull = Math.max(e, ge) - Math.min(s, gs);
    return hull > 0 ? inter / hull : 0;
  });
  const pct = (x: number) => x * 100;
  const r1 = (t: number) => pct(ious.filter((v) => v >= t).length / ious.length);
  return {
    n: count,
    'R1@0.3': r1(0.3),
    'R1@0.5': r1(0.5),
    'R1@0.7': r1(0.7),
    mIoU: pct(ious.reduce((a, b) => a + b, 0) / ious.length),
  };
}

/** The report's two-decimal numbers are the expected ones, rounded. */
function expectMetrics(doc: Report, expected: Record<string, number>): void {
  for (const [k, v] of Object.entries(expected))
    expect(Math.abs((doc as unknown as Record<string, number>)[k]! - v), k).toBeLessThanOrEqual(0.005 + 1e-9);
}

function idsOnce(lines: Line[], count: number): void {
  const ids = lines.map((l) => l.id);
  expect(new Set(ids).size, ids.join(' ')).toBe(ids.length);
  expect(ids).toHaveLength(count);
}

describe('tempo eval, scoring a predictions file', () => {
  it('prints the metrics as JSON, skipping malformed lines by number', async () => {
    const { doc } = await tempoJson<Report>(home, [
      'eval',
      '--format',
      'charades',
      '--annotations',
      fixture('charades-sta.txt'),
      '--predictions',
      fixture('charades-predictions.jsonl'),
      '--durations',
      fixture('charades-durations.csv'),
    ]);
    // Worked out in tests/unit/learning/evaluate.test.ts.
    expect(doc).toMatchObject({ n: 5, 'R1@0.3': 60, 'R1@0.5': 60, 'R1@0.7': 20, mIoU: 42, ECE: 28.75 });
    expect(doc.skipped.map((s) => [s.file, s.line])).toEqual([
      ['annotations', 4],
      ['annotations', 5],
      ['durations', 5],
      ['annotations', 7],
      ['predictions', 6],
      ['predictions', 7],
    ]);
  });

  it("scores QVHighlights' official submission lines with mAP, and prints a table without --json", async () => {
    const args = ['eval', '--format', 'qvhighlights', '--annotations', fixture('qvhighlights.jsonl')];
    const { doc } = await tempoJson<Report>(home, [...args, '--predictions', fixture('qvhighlights-submission.jsonl')]);
    expect(doc).toMatchObject({ n: 6, 'mAP@0.5': 50, 'mAP@0.75': 50, mAP: 48.75, 'R1@0.5': 25 });
    const human = await tempo(home, [...args, '--predictions', fixture('qvhighlights-submission.jsonl')]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^mAP +48\.75$/m);
    expect(human.stdout).toMatch(/^refusal recall +50\.00$/m);
    expect(human.stdout).toContain('predictions line 7: window 1 ends before it starts (5 - 1)');
  });

  it('gives usage errors, one line each', async () => {
    const a = fixture('charades-sta.txt');
    const p = fixture('charades-predictions.jsonl');
    const d = fixture('charades-durations.csv');
    const cases: [string[], RegExp][] = [
      [['eval', '--format', 'tacos', '--annotations', a, '--predictions', p], /unknown --format 'tacos'/],
      [['eval', '--format', 'charades', '--predictions', p], /needs --format .* and --annotations/],
      [
        ['eval', '--format', 'charades', '--annotations', 'nope.txt', '--predictions', p, '--durations', d],
        /nope.txt does not exist/,
      ],
      [
        ['eval', '--format', 'charades', '--annotations', a, '--predictions', 'nope.jsonl', '--durations', d],
        /--predictions .*nope.jsonl does not exist/,
      ],
      [['eval', '--format', 'charades', '--annotations', a, '--durations', d], /--predictions FILE .* or --videos DIR/],
      [['eval', '--format', 'charades', '--annotations', a, '--predictions', p], /add --durations CSV/],
      [
        ['eval', '--format', 'charades', '--annotations', a, '--predictions', p, '--durations', d, '--limit', '0'],
        /--limit must be/,
      ],
      [['eval', '--format', 'activitynet', '--annotations', a, '--predictions', p], /not JSON/],
      [
        ['eval', '--format', 'charades', '--annotations', a, '--videos', 'no-such-dir'],
        /--videos no-such-dir is not a folder/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await tempo(home, args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(stderrLines(run), args.join(' ')).toHaveLength(1);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('wants --per-server from 1 to 64, as ground does (usage error, exit 2)', async () => {
    const [a, p, d] = [
      fixture('charades-sta.txt'),
      fixture('charades-predictions.jsonl'),
      fixture('charades-durations.csv'),
    ];
    const args = ['eval', '--format', 'charades', '--annotations', a, '--predictions', p, '--durations', d];
    for (const n of ['0', '65', '1.5', 'two']) {
      const run = await tempo(home, [...args, '--server', 'http://127.0.0.1:9/v1', '--per-server', n]);
      expect(run.code, n).toBe(2);
      expect(stderrLines(run)).toEqual(['tempo: --per-server must be a whole number from 1 to 64']);
    }
  });
});

describe('tempo eval, running the model', () => {
  const runArgs = (out: string, limit?: number) => [
    'eval',
    '--format',
    'charades',
    '--annotations',
    annotations,
    '--videos',
    videos,
    '--model',
    'parrot',
    '--samples',
    '1',
    '--out',
    out,
    ...(limit ? ['--limit', String(limit)] : []),
  ];

  it('imports and scans the videos, writes one prediction line per item, and scores them', async () => {
    const out = path.join(home, 'run', 'first.jsonl');
    const { doc } = await tempoJson<Report>(home, runArgs(out, 3));
    const lines = readLines(out);
    idsOnce(lines, 3);
    expect(lines.map((l) => l.id)).toEqual(['vidA#0', 'vidB#0', 'vidC#0']);
    for (const l of lines) {
      // The parrot answers 2-5 in every window that holds it; no change point moves it.
      expect(l.refused).toBe(false);
      expect(l.segments[0]).toMatchObject({ startS: 2, endS: 5 });
      expect(l.segments[0]?.confidence).toBeGreaterThan(0);
      expect(l.segments[0]?.confidence).toBeLessThanOrEqual(1);
    }
    // [2,5] against [2,5], [6,9], [1,5]: IoU 1, 0, 0.75.
    expect(doc).toMatchObject({ n: 3, 'R1@0.3': 66.67, 'R1@0.5': 66.67, 'R1@0.7': 66.67, mIoU: 58.33 });
    expectMetrics(doc, expectedMetrics(lines, 3));
    expect(doc.predictions).toBe(out);
    const listed = await tempoJson<{ recordings: { scan: string }[] }>(home, ['list']);
    expect(listed.doc.recordings.map((r) => r.scan)).toEqual(['done', 'done', 'done']);
    const jobs = await tempoJson<{ jobs: { type: string; state: string; progress: number }[] }>(home, ['jobs']);
    expect(jobs.doc.jobs.filter((j) => j.type === 'eval')).toEqual([
      expect.objectContaining({ state: 'done', progress: 1 }),
    ]);
  });

  it('continues a predictions file cut mid-line: every item once, same metrics', async () => {
    const out = path.join(home, 'run', 'cut.jsonl');
    await tempoJson<Report>(home, runArgs(out, 4));
    const whole = fs.readFileSync(out, 'utf8');
    const [first = '', second = ''] = whole.split('\n');
    fs.writeFileSync(out, `${first}\n${second.slice(0, 20)}`);
    const { doc } = await tempoJson<Report>(home, runArgs(out, 4));
    const lines = readLines(out);
    idsOnce(lines, 4);
    expect(lines[0]).toEqual(JSON.parse(first));
    expectMetrics(doc, expectedMetrics(lines, 4));
  });

  it('picks up a run killed with SIGKILL through `tempo jobs run`, writing each item once', async () => {
    const out = path.join(home, 'run', 'killed.jsonl');
    const { child, done } = startTempo(home, ['--json', ...runArgs(out)]);
    await until(
      'the first line of predictions',
      () => (fs.existsSync(out) && fs.readFileSync(out, 'utf8').includes('\n') ? true : undefined),
      30_000,
      25,
    );
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const before = readLines(out).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(TRUTH.length);

    const resumed = await tempoJson<{ jobs: { type: string; state: string }[] }>(home, ['jobs', 'run']);
    expect(resumed.doc.jobs[0]).toMatchObject({ type: 'eval', state: 'done' });
    const lines = readLines(out);
    idsOnce(lines, TRUTH.length);
    // Scoring the finished file, as the command would have.
    const { doc } = await tempoJson<Report>(home, runArgs(out));
    expect(readLines(out)).toEqual(lines);
    expectMetrics(doc, expectedMetrics(lines, TRUTH.length));
  });
});

const servers: http.Server[] = [];
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

/** A scripted model server on loopback: lists one model and answers "2-5" to every question. */
async function parrotServer(): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = req.url?.endsWith('/models')
        ? { object: 'list', data: [{ id: 'parrot-remote', object: 'model', created: 0, owned_by: 'x' }] }
        : {
            id: 'c',
            object: 'chat.completion',
            created: 0,
            model: 'parrot-remote',
            choices: [{ index: 0, message: { role: 'assistant', content: '2-5' }, finish_reason: 'stop' }],
          };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

describe('tempo eval on model servers', () => {
  it('runs on a pool of servers taking --per-server requests each', async () => {
    const urls = [await parrotServer(), await parrotServer()];
    const out = path.join(home, 'run', 'pool.jsonl');
    const { doc } = await tempoJson<Report>(home, [
      'eval',
      '--format',
      'charades',
      '--annotations',
      annotations,
      '--videos',
      videos,
      '--server',
      urls.join(','),
      '--per-server',
      '3',
      '--samples',
      '1',
      '--limit',
      '2',
      '--out',
      out,
    ]);
    expect(doc).toMatchObject({ n: 2, predictions: out });
    idsOnce(readLines(out), 2);
    type Listed = { jobs: { type: string; payload: { out: string; target: Record<string, unknown> } }[] };
    const { doc: listed } = await tempoJson<Listed>(home, ['jobs']);
    const job = listed.jobs.find((j) => j.type === 'eval' && j.payload.out === out);
    expect(job?.payload.target).toMatchObject({ kind: 'server', urls, perServer: 3, model: 'parrot-remote' });
  });
});
