// `npm run bench -- pool`: a library query through 1, 2 and 3 local `tempo serve-model` servers
// (the bench's tiny model, one request at a time each, as serve-model runs them), wall time
// side by side in one run, and whether every pool found the same windows and segments.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeVideo } from '../fixtures/make-video.js';
import { makeTinyQwen2VL } from '../fixtures/tiny-qwen2vl/generate.js';
import { startServer } from '../support/tempo-cli.js';
import { TEN_MIN, THREE_MIN } from './clips.js';
import { BENCH_MODEL } from './grounding.js';
import { tempo, type Report } from './timed.js';

const TOKEN = 'bench-pool-token';
/** Visual tokens a request carries: small, so each recording is many windows to share out. */
const CONTEXT = '512';

interface QueryDoc {
  segments?: { recordingId: number; startS: number; endS: number; confidence: number }[];
}

/** The library query through these servers: wall seconds, and a fingerprint of what it found. */
async function libraryQuery(home: string, urls: string[]): Promise<{ seconds: number; found: string }> {
  const run = await tempo(
    home,
    'ground',
    'all',
    'a white box appears',
    '--server',
    urls.join(','),
    '--per-server',
    '1',
    '--profile',
    'qwen2-vl',
    '--context',
    CONTEXT,
    // Greedy answers only: the same windows give the same segments whichever server answers.
    '--samples',
    '1',
  );
  const doc = JSON.parse(run.stdout) as QueryDoc;
  // What was found, without the row ids each run gets.
  const found = (doc.segments ?? []).map((x) => [x.recordingId, x.startS, x.endS, x.confidence.toFixed(4)]);
  return { seconds: run.seconds, found: JSON.stringify(found) };
}

export async function benchPool(report: Report): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-bench-pool-'));
  const servers: Awaited<ReturnType<typeof startServer<{ url: string }>>>[] = [];
  try {
    const model = await makeTinyQwen2VL(path.join(root, 'model'), BENCH_MODEL);
    for (let i = 0; i < 3; i++) {
      const args = ['serve-model', '--model', model, '--port', '0', '--token', TOKEN];
      servers.push(await startServer<{ url: string }>(path.join(root, `server-${i}`), args));
    }
    const home = path.join(root, 'client');
    for (const recipe of [THREE_MIN, TEN_MIN]) await tempo(home, 'import', await makeVideo(recipe));
    await tempo(home, 'scan', '1');
    await tempo(home, 'scan', '2');
    process.env['TEMPO_SERVER_TOKEN'] = TOKEN;
    const urls = servers.map((s) => s.info.url);
    // A first query warms each server (model load, vision features), so the three below compare asking alone.
    await libraryQuery(home, urls);
    const runs = [];
    for (const n of [1, 2, 3]) {
      const r = await libraryQuery(home, urls.slice(0, n));
      console.log(
        `  library query (3-min and 10-min recordings, ${CONTEXT}-token windows), ${n} server(s): ${r.seconds.toFixed(1)} s`,
      );
      runs.push(r);
    }
    const [one, two, three] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
    const same = runs.every((r) => r.found === one.found);
    report(
      'library query wall time, 1 server / 2 servers (2 cores, the tiny model: at most 2x)',
      `${(one.seconds / two.seconds).toFixed(2)}x (${one.seconds.toFixed(1)} s / ${two.seconds.toFixed(1)} s), same segments: ${same}`,
      '> 1.1x, same segments',
      one.seconds / two.seconds > 1.1 && same,
    );
    console.log(
      `  1 server / 3 servers: ${(one.seconds / three.seconds).toFixed(2)}x (${three.seconds.toFixed(1)} s; ` +
        `the third server shares the same 2 cores)`,
    );
  } finally {
    delete process.env['TEMPO_SERVER_TOKEN'];
    for (const s of servers) s.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => s.done));
    fs.rmSync(root, { recursive: true, force: true });
  }
}
