// `npm run bench`: the foundation's speed and memory targets, printed as ratios measured side
// by side in one run on this machine. Generated media is cached under .cache/fixtures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeVideo, recipeBoundaries } from '../fixtures/make-video.js';
import { SIXTY_MIN, TEN_MIN } from './clips.js';
import { coveredBoundaries } from './plan-checks.js';
import { benchGrounding } from './grounding.js';
import type { Device } from '../../src-main/engine/models/devices.js';
import type { RealSizeDtype } from '../fixtures/real-size/generate.js';
import { benchRealMemory } from './real-size/memory.js';
import { benchRealSize } from './real-size/part.js';
import { benchPool } from './pool.js';
import { benchTwoStage } from './two-stage.js';
import { benchTwoStageBoundaries } from './two-stage-boundaries.js';
import { benchTimeline } from './timeline.js';
import { median, tempo, timed } from './timed.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/** Dtypes of the real-size parts: fp32, and the 4-bit and 8-bit forms of the published exports. */
const REAL_DTYPES: RealSizeDtype[] = ['fp32', 'q4', 'q8'];

interface ScanDoc {
  changePoints: number[];
  frames: { t: number; width: number; height: number; tokens: number }[];
  visualTokens: number;
  uniformTokens: number;
}

const MB = 1024 * 1024;
const lines: string[] = [];
function report(name: string, value: string, target: string, ok: boolean): void {
  const line = `${ok ? 'PASS' : 'FAIL'}  ${name}: ${value}  (target ${target})`;
  lines.push(line);
  console.log(line);
}

/**
 * `npm run bench -- grounding timeline` runs only those parts; no part named runs all.
 * `--device webgpu` (or cuda where there is one) runs the real-size parts on that device, and
 * `--dtype q8` (or a comma-separated list) only those dtypes of them.
 */
const PARTS = [
  'scan',
  'grounding',
  'timeline',
  'pool',
  'two-stage',
  'two-stage-boundaries',
  'real-qwen2-vl',
  'real-qwen3-vl',
  'real-memory',
] as const;
const argv = process.argv.slice(2);
/** The value after `--flag`, and argv without both. */
function option(args: string[], flag: string): [string | undefined, string[]] {
  const at = args.indexOf(flag);
  return at < 0 ? [undefined, args] : [args[at + 1], args.filter((_, i) => i !== at && i !== at + 1)];
}
const [deviceArg, rest] = option(argv, '--device');
const [dtypeArg, asked] = option(rest, '--dtype');
const DEVICE = deviceArg ?? 'cpu';
for (const a of asked)
  if (!(PARTS as readonly string[]).includes(a)) throw new Error(`bench: no part ${a} (${PARTS.join(', ')})`);
if (!['cpu', 'webgpu', 'cuda'].includes(DEVICE)) throw new Error(`bench: --device cpu, webgpu or cuda, not ${DEVICE}`);
const DTYPES = dtypeArg?.split(',') as RealSizeDtype[] | undefined;
for (const d of DTYPES ?? [])
  if (!REAL_DTYPES.includes(d)) throw new Error(`bench: --dtype ${REAL_DTYPES.join(', ')} (comma-separated), not ${d}`);
const runs = (part: (typeof PARTS)[number]): boolean => asked.length === 0 || asked.includes(part);

async function benchScan(): Promise<void> {
  console.log('encoding bench recordings (cached after the first run)...');
  const ten = await makeVideo(TEN_MIN);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-bench-'));
  await tempo(home, 'import', ten);

  // 1. Scan time against a plain ffmpeg decode at 2 fps, scaled to the plan's largest size.
  const first = await tempo(home, 'scan', '1');
  const plan = JSON.parse(first.stdout) as ScanDoc;
  const largest = plan.frames.reduce((a, f) => (f.tokens > a.tokens ? f : a), plan.frames[0] as ScanDoc['frames'][0]);
  const scans: number[] = [first.seconds];
  const plain: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const ff = await timed('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-i',
      ten,
      '-vf',
      `fps=2,scale=${largest.width}:${largest.height}`,
      '-f',
      'null',
      '-',
    ]);
    plain.push(ff.seconds);
    if (i > 0) scans.push((await tempo(home, 'scan', '1', '--force')).seconds);
  }
  const ratio = median(scans) / median(plain);
  console.log(
    `  scan ${median(scans).toFixed(2)} s (median of ${scans.length}), ffmpeg fps=2,scale=${largest.width}:${largest.height} ${median(plain).toFixed(2)} s`,
  );
  report('scan time / plain ffmpeg decode, 10-min 720p H.264', `${ratio.toFixed(2)}x`, '<= 1.3x', ratio <= 1.3);

  // 2. Tokens spent against uniform 2 fps, with every boundary still covered.
  const bounds = recipeBoundaries(TEN_MIN);
  const covered = coveredBoundaries(bounds, plan);
  const tokenRatio = plan.visualTokens / plan.uniformTokens;
  console.log(
    `  visualTokens ${plan.visualTokens}, uniformTokens ${plan.uniformTokens}, frames ${plan.frames.length}, change points ${plan.changePoints.map((c) => c.toFixed(1)).join(' ')}`,
  );
  report(
    'visualTokens / uniformTokens, 10-min recording with 3 events',
    `${tokenRatio.toFixed(3)}, boundaries covered ${covered}/${bounds.length}`,
    '<= 0.25, all covered',
    tokenRatio <= 0.25 && covered === bounds.length,
  );

  // 3. Peak memory (tempo and its ffmpeg child together) scanning a 60-minute recording.
  const sixty = await makeVideo(SIXTY_MIN);
  await tempo(home, 'import', sixty);
  const long = await tempo(home, 'scan', '2');
  console.log(
    `  60-min scan took ${long.seconds.toFixed(1)} s; 10-min 720p scan peaked at ${(first.peakRss / MB).toFixed(0)} MB`,
  );
  report(
    'peak memory, scan of a 60-minute recording (tempo + ffmpeg)',
    `${(long.peakRss / MB).toFixed(0)} MB`,
    '< 300 MB',
    long.peakRss < 300 * MB,
  );

  fs.rmSync(home, { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.log(`bench on ${os.cpus().length} cores, node ${process.version}`);
  // 1-3. The scan: time against ffmpeg, tokens against uniform 2 fps, memory on a long recording.
  if (runs('scan')) await benchScan();
  // 4-6. Grounding: a repeated query, and the SAA plan against uniform 2 fps (grounding.ts).
  if (runs('grounding')) await benchGrounding(report);
  if (runs('timeline')) await benchTimeline(report);
  // A library query through a pool of 1, 2 and 3 local model servers (pool.ts).
  if (runs('pool')) await benchPool(report);
  // Two stages against the refining server alone: tokens sent to it and wall time (two-stage.ts).
  if (runs('two-stage')) await benchTwoStage(report);
  // The hidden event boundaries each finds, with frame-reading scripted detectors (two-stage-boundaries.ts).
  if (runs('two-stage-boundaries')) await benchTwoStageBoundaries(report);
  // What a real-size 2B model costs here (real-size/): per model and dtype, and memory against footage length.
  // WebGPU through Mesa emulates the GPU on the CPU, its buffers in system memory: q4 only, to fit beside the CPU copy.
  const dtypes: RealSizeDtype[] = DTYPES ?? (DEVICE === 'webgpu' ? ['q4'] : REAL_DTYPES);
  // Under 20 minutes a part: webgpu through Mesa takes most of it for its one dtype.
  const real = { dtypes, device: DEVICE as Device, timeoutS: DEVICE === 'cpu' ? 900 : 1050 };
  if (runs('real-qwen2-vl')) await benchRealSize(report, { name: 'qwen2-vl-2b', ...real });
  if (runs('real-qwen3-vl')) await benchRealSize(report, { name: 'qwen3-vl-2b', ...real });
  if (runs('real-memory')) await benchRealMemory(report, 'qwen2-vl-2b', 'q8');

  const failed = lines.filter((l) => l.startsWith('FAIL')).length;
  console.log(`${lines.length - failed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
