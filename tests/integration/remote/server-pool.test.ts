/**
 * A pool of real `tempo serve-model` processes (the tiny Qwen2-VL answering "6-9") asked by
 * `tempo ground --server URL --server URL ...`: the windows shared, one server SIGKILLed with
 * a question of the run in flight, and the run stored with every window once; and the one-line
 * errors before any work (a URL that is no model server, another model, a refused token) and
 * when the whole pool is gone.
 *
 * The kill is tied to the question, not to a clock: the server to kill is reached through a
 * TCP pass-through that kills it when the first chat request of the run arrives, and stops
 * listening (so the retry is refused, as by a dead host). It is listed first: the pool gives a
 * question to the first server listed when all are idle, so it gets the run's first question.
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundResult } from '../../../src-main/engine/api/ground.js';
import { makeTinyQwen2VL } from '../../fixtures/tiny-qwen2vl/generate.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { countRows, queryRows } from '../../support/store.js';
import {
  startServer,
  startTempo,
  stderrLines,
  tempHome,
  tempo,
  tempoJson,
  type TempoRun,
} from '../../support/tempo-cli.js';

const TOKEN = 'pool-secret-42';
const QUERY = 'a white box appears';
/** A small context so the 40 s clip makes several windows; one answer each keeps it fast. */
const ASK = ['--samples', '1', '--context', '256'];

interface Served {
  url: string;
  child: ChildProcess;
  done: Promise<TempoRun>;
}

interface Window {
  index: number;
  startS: number;
  endS: number;
  frames: number;
  answers: string[];
  server?: string;
}

let home: string;
/** Where the models are. */
let serverHome: string;
let tiny: string;
let steady: Served[] = [];
const started: Served[] = [];
const closers: (() => void)[] = [];

/** A `tempo serve-model` of the model folder `dir`, each in its own data folder (servers are separate machines). */
async function serveModel(dir: string, token = TOKEN): Promise<Served> {
  const s = await startServer<{ url: string }>(tempHome(), [
    'serve-model',
    '--port',
    '0',
    '--token',
    token,
    '--model',
    dir,
  ]);
  const served = { url: s.info.url, child: s.child, done: s.done };
  started.push(served);
  return served;
}

/**
 * A TCP pass-through to `victim` that SIGKILLs it when the first chat request reaches it (a
 * server dying with a question in flight), drops every connection and stops listening.
 */
async function killOnFirstQuestion(victim: Served): Promise<string> {
  const target = new URL(victim.url);
  const sockets = new Set<net.Socket>();
  let tripped = false;
  const tap = net.createServer((client) => {
    if (tripped) return void client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      if (tripped) return end();
      if (chunk.toString('latin1').includes('POST /v1/chat/completions')) {
        tripped = true;
        victim.child.kill('SIGKILL');
        for (const s of sockets) s.destroy();
        tap.close();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    for (const s of [client, upstream]) {
      s.on('close', end);
      s.on('error', end);
    }
  });
  await new Promise<void>((r) => tap.listen(0, '127.0.0.1', r));
  closers.push(() => tap.close());
  return `http://127.0.0.1:${(tap.address() as net.AddressInfo).port}/v1`;
}

/** The stored run of a query: its device, settings and windows. */
function storedRun(query: string): { device: string; settings: Record<string, unknown>; windows: Window[] } {
  const [run] = queryRows<{ device: string; settings: string; window_plan: string }>(
    home,
    'SELECT r.device, r.settings, r.window_plan FROM runs r JOIN queries q ON q.id = r.query_id WHERE q.text = ? ORDER BY r.id DESC',
    query,
  );
  if (!run) throw new Error(`no run of '${query}'`);
  return {
    device: run.device,
    settings: JSON.parse(run.settings) as Record<string, unknown>,
    windows: JSON.parse(run.window_plan) as Window[],
  };
}

const plan = (windows: Window[]) => windows.map(({ index, startS, endS, frames }) => ({ index, startS, endS, frames }));

let baseline: Window[];
/** What one server alone found: a pool finds the same. */
let alone: Pick<GroundResult, 'refused' | 'segments'>;

beforeAll(async () => {
  home = tempHome();
  serverHome = tempHome();
  [tiny] = await Promise.all([
    makeTinyQwen2VL(path.join(serverHome, 'models', 'tiny'), { contextTokens: 256, answer: '6-9' }),
    makeTinyQwen2VL(path.join(serverHome, 'models', 'other'), { contextTokens: 256, answer: '6-9' }),
  ]);
  const clip = await makeVideo({
    durationS: 40,
    width: 320,
    height: 180,
    events: [{ kind: 'box', from: 6, to: 10, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
  });
  await tempoJson(home, ['import', clip]);
  steady = await Promise.all([serveModel(tiny!), serveModel(tiny!)]);
  // One server alone first: it scans the recording (and fills the frame cache) and gives the window plan to compare with.
  const { doc } = await tempoJson<GroundResult>(home, [
    'ground',
    '1',
    `${QUERY} (one server)`,
    '--server',
    steady[0]!.url,
    '--token',
    TOKEN,
    ...ASK,
  ]);
  alone = { refused: doc.refused, segments: doc.segments };
  baseline = storedRun(`${QUERY} (one server)`).windows;
});

afterAll(async () => {
  for (const close of closers) close();
  for (const s of started) s.child.kill('SIGTERM');
  await Promise.all(started.map((s) => s.done));
});

describe('tempo ground with a pool of model servers', () => {
  it('has a window plan of several windows to share, and a segment to look at again', () => {
    expect(baseline.length).toBeGreaterThan(2);
    // The model's "6-9" is found: the pool also serves the dense second look.
    expect(alone.refused).toBe(false);
    expect(baseline.every((w) => w.server === undefined)).toBe(true);
  });

  it('answers every window once when a server of two is killed with a question in flight', async () => {
    const victim = await serveModel(tiny!);
    const doomed = await killOnFirstQuestion(victim);
    const [a] = steady;
    const query = `${QUERY} (pool of two)`;
    const { child, done } = startTempo(home, [
      '--json',
      'ground',
      '1',
      query,
      '--server',
      doomed,
      '--server',
      a!.url,
      '--token',
      TOKEN,
      ...ASK,
    ]);
    // Which stream said something first: the server leaving (stderr) comes as it happens, before the result.
    const order: string[] = [];
    child.stderr?.on('data', () => order.push('stderr'));
    child.stdout?.on('data', () => order.push('stdout'));
    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    expect((await victim.done).signal).toBe('SIGKILL');
    const doc = JSON.parse(run.stdout) as GroundResult;
    expect(doc).toMatchObject({ model: 'tiny', device: 'pool of 2 servers', ...alone });
    expect(doc.serversLeft).toEqual([expect.stringMatching(new RegExp(`^model server ${doomed} left the pool: `))]);
    // Said once, the moment it left, with how many are left; the JSON keeps the summary as it was.
    expect(stderrLines(run)).toEqual([`tempo: ${doc.serversLeft![0]}; 1 left`]);
    expect(order[0]).toBe('stderr');
    expect(order.indexOf('stdout')).toBeGreaterThan(order.lastIndexOf('stderr'));

    const stored = storedRun(query);
    expect(stored.settings).toMatchObject({ server: doomed, servers: [doomed, a!.url], perServer: 2 });
    expect(stored.settings['serversLeft']).toEqual(doc.serversLeft);
    // Every window of the plan exactly once, in order, each answered by the server that stayed.
    expect(plan(stored.windows)).toEqual(plan(baseline));
    expect(stored.windows.map((w) => w.server)).toEqual(stored.windows.map(() => a!.url));
    for (const w of stored.windows) expect(w.answers).toHaveLength(1);
  });

  it('shares the windows of a pool of three, one killed, with the token from TEMPO_SERVER_TOKEN', async () => {
    const victim = await serveModel(tiny!);
    const doomed = await killOnFirstQuestion(victim);
    const [a, b] = steady;
    const query = `${QUERY} (pool of three)`;
    const servers = `${doomed},${a!.url},${b!.url}`;
    const run = await tempo(home, ['--json', 'ground', '1', query, '--server', servers, '--per-server', '1', ...ASK], {
      TEMPO_SERVER_TOKEN: TOKEN,
    });
    expect(run.code, run.stderr).toBe(0);
    expect((await victim.done).signal).toBe('SIGKILL');
    expect(JSON.parse(run.stdout)).toMatchObject({ device: 'pool of 3 servers', ...alone });
    expect(stderrLines(run)).toEqual([
      expect.stringMatching(new RegExp(`^tempo: model server ${doomed} left the pool: .+; 2 left$`)),
    ]);

    const stored = storedRun(query);
    expect(stored.settings).toMatchObject({ servers: [doomed, a!.url, b!.url], perServer: 1 });
    expect(plan(stored.windows)).toEqual(plan(baseline));
    const indices = stored.windows.map((w) => w.index);
    expect(new Set(indices).size).toBe(baseline.length);
    for (const w of stored.windows) expect([a!.url, b!.url]).toContain(w.server);
  });

  it('says a server leaving at once in the form of several recordings too (ground all)', async () => {
    const victim = await serveModel(tiny!);
    const doomed = await killOnFirstQuestion(victim);
    const [a] = steady;
    const run = await tempo(home, [
      '--json',
      'ground',
      'all',
      `${QUERY} (pool, all)`,
      '--server',
      `${doomed},${a!.url}`,
      '--token',
      TOKEN,
      ...ASK,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect((await victim.done).signal).toBe('SIGKILL');
    const doc = JSON.parse(run.stdout) as { serversLeft?: string[]; failed: unknown[] };
    expect(doc.failed).toEqual([]);
    expect(doc.serversLeft).toEqual([expect.stringMatching(new RegExp(`^model server ${doomed} left the pool: `))]);
    expect(stderrLines(run)).toEqual([`tempo: ${doc.serversLeft![0]}; 1 left`]);
  });

  it('fails in one line naming every server when the whole pool is gone (each said as it left), and stores no run', async () => {
    // Each server is said as it leaves (the last with none left), then the one-line error.
    const doomed = [
      await killOnFirstQuestion(await serveModel(tiny!)),
      await killOnFirstQuestion(await serveModel(tiny!)),
    ];
    const runs = countRows(home, 'runs');
    const run = await tempo(home, [
      'ground',
      '1',
      `${QUERY} (pool gone)`,
      '--server',
      doomed.join(','),
      '--token',
      TOKEN,
      ...ASK,
    ]);
    expect(run.code).toBe(1);
    const lines = stderrLines(run);
    expect(lines, run.stderr).toHaveLength(3);
    const left = (n: number) => new RegExp(`^tempo: model server (.+) left the pool: .+; ${n} left$`);
    const gone = [lines[0]?.match(left(1))?.[1], lines[1]?.match(left(0))?.[1]];
    expect(gone.sort()).toEqual([...doomed].sort());
    expect(lines[2]).toMatch(
      new RegExp(
        `^tempo: grounding on recording 1 failed: every model server of the pool failed: ${doomed[0]} \\(.+\\), ${doomed[1]} \\(.+\\)$`,
      ),
    );
    expect(countRows(home, 'runs')).toBe(runs);
  });
});

describe('tempo ground with a pool: mistakes found before any work', () => {
  const jobs = () => queryRows(home, "SELECT id FROM jobs WHERE type = 'ground'").length;

  it('names the URL that is not a model server, serves another model, or refuses the token', async () => {
    const [a] = steady;
    const plain = http.createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    closers.push(() => plain.close());
    const plainUrl = `http://127.0.0.1:${(plain.address() as net.AddressInfo).port}/v1`;
    const [other, locked] = await Promise.all([
      serveModel(path.join(serverHome, 'models', 'other')),
      serveModel(tiny!, 'another-token-99'),
    ]);
    const before = jobs();
    const ground = (...servers: string[]) =>
      tempo(home, ['ground', '1', QUERY, ...servers.flatMap((s) => ['--server', s]), '--token', TOKEN, ...ASK]);

    const notServer = await ground(a!.url, plainUrl);
    expect(notServer.code).toBe(2);
    expect(stderrLines(notServer)).toEqual([expect.stringContaining(`tempo: model server ${plainUrl} answered 404`)]);

    const otherModel = await ground(a!.url, other.url);
    expect(otherModel.code).toBe(2);
    expect(stderrLines(otherModel)).toEqual([
      `tempo: model servers ${a!.url} and ${other.url} serve different models ('tiny', 'other'): name one with --model`,
    ]);
    const named = await tempo(home, [
      'ground',
      '1',
      QUERY,
      '--server',
      `${a!.url},${other.url}`,
      '--model',
      'tiny',
      '--token',
      TOKEN,
    ]);
    expect(named.code).toBe(2);
    expect(stderrLines(named)).toEqual([`tempo: model server ${other.url} has no model 'tiny' (it has: other)`]);

    const refused = await ground(locked.url, a!.url);
    expect(refused.code).toBe(2);
    expect(stderrLines(refused)).toEqual([
      `tempo: model server ${locked.url} refused the token (401): pass the server's token with --token`,
    ]);
    expect(jobs()).toBe(before);
  });

  it('wants --per-server from 1 to 64 (usage error, exit 2)', async () => {
    const [a, b] = steady;
    for (const n of ['0', '65', '1.5', 'two']) {
      const run = await tempo(home, ['ground', '1', QUERY, '--server', `${a!.url},${b!.url}`, '--per-server', n]);
      expect(run.code, n).toBe(2);
      expect(stderrLines(run)).toEqual(['tempo: --per-server must be a whole number from 1 to 64']);
    }
    const none = await tempo(home, ['ground', '1', QUERY, '--server', ',']);
    expect(none.code).toBe(2);
    expect(stderrLines(none)).toEqual(['tempo: no model server URL given']);
  });
});
