// `npm run bench -- two-stage`: a library query asked of a refining model server alone, against
// two stages (a smaller local candidate model first, the server only around its unsure
// candidates and on the audit share): visual tokens sent to the server and wall time, as
// ratios from one run. The bench models answer a fixed span whatever they see, so the
// moments each finds say nothing of accuracy; the tokens and time are what is measured.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeVideo } from '../fixtures/make-video.js';
import { makeTinyQwen2VL } from '../fixtures/tiny-qwen2vl/generate.js';
import { startServer } from '../support/tempo-cli.js';
import { TEN_MIN, THREE_MIN } from './clips.js';
import { BENCH_MODEL } from './grounding.js';
import { tempo, type Report } from './timed.js';

const TOKEN = 'bench-two-stage-token';
const QUERY = 'a white box appears';
/** The candidate: the bench model's parrot head on a smaller decoder. */
const CANDIDATE = { ...BENCH_MODEL, hiddenSize: 64, numLayers: 2 };

interface Stage {
  windows: number;
  visualTokens: number;
}

interface ManyDoc {
  segments: unknown[];
  runs: {
    timings?: { visualTokensSent?: number };
    stages?: { candidate: Stage; refine: Stage; audit: Stage & { audited: number[]; found: number } };
  }[];
}

/** Visual tokens the refining server was sent over all runs of a library query. */
function serverTokens(doc: ManyDoc, twoStage: boolean): number {
  return doc.runs.reduce((sum, r) => {
    if (!twoStage) return sum + (r.timings?.visualTokensSent ?? 0);
    return sum + (r.stages ? r.stages.refine.visualTokens + r.stages.audit.visualTokens : 0);
  }, 0);
}

export async function benchTwoStage(report: Report): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-bench-two-stage-'));
  let server: Awaited<ReturnType<typeof startServer<{ url: string }>>> | null = null;
  try {
    const refiner = await makeTinyQwen2VL(path.join(root, 'refiner'), BENCH_MODEL);
    const candidate = await makeTinyQwen2VL(path.join(root, 'candidate'), CANDIDATE);
    const args = ['serve-model', '--model', refiner, '--port', '0', '--token', TOKEN];
    server = await startServer<{ url: string }>(path.join(root, 'server'), args);
    const home = path.join(root, 'client');
    for (const recipe of [THREE_MIN, TEN_MIN]) await tempo(home, 'import', await makeVideo(recipe));
    await tempo(home, 'scan', '1');
    await tempo(home, 'scan', '2');
    process.env['TEMPO_SERVER_TOKEN'] = TOKEN;
    const common = ['ground', 'all', QUERY, '--profile', 'qwen2-vl', '--context', '1024'];
    const url = server.info.url;
    // Warm the server and the candidate once, so both asks below compare asking alone.
    await tempo(home, ...common, '--server', url);
    const alone = await tempo(home, ...common, '--server', url);
    const two = await tempo(home, ...common, '--candidates', candidate, '--refine', url);
    const aloneDoc = JSON.parse(alone.stdout) as ManyDoc;
    const twoDoc = JSON.parse(two.stdout) as ManyDoc;
    const [sentAlone, sentTwo] = [serverTokens(aloneDoc, false), serverTokens(twoDoc, true)];
    for (const r of twoDoc.runs) {
      const s = r.stages;
      if (s)
        console.log(
          `  two stages: candidate ${s.candidate.windows} windows / ${s.candidate.visualTokens} tokens, ` +
            `refine ${s.refine.windows} / ${s.refine.visualTokens}, audit ${s.audit.audited.length} windows ` +
            `(a moment in ${s.audit.found})`,
        );
    }
    console.log(
      `  refining server alone: ${alone.seconds.toFixed(1)} s, ${sentAlone} visual tokens sent, ` +
        `${aloneDoc.segments.length} segments; two stages: ${two.seconds.toFixed(1)} s, ${sentTwo} tokens, ` +
        `${twoDoc.segments.length} segments (fixed-answer models: not a measure of accuracy)`,
    );
    report(
      'visual tokens sent to the refining server, refining alone / two stages',
      `${(sentAlone / Math.max(1, sentTwo)).toFixed(2)}x (${sentAlone} / ${sentTwo}); wall ${(alone.seconds / two.seconds).toFixed(2)}x`,
      '> 1x',
      sentAlone > sentTwo,
    );
  } finally {
    delete process.env['TEMPO_SERVER_TOKEN'];
    server?.child.kill('SIGTERM');
    await server?.done;
    fs.rmSync(root, { recursive: true, force: true });
  }
}
