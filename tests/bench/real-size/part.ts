// `npm run bench -- real-qwen2-vl` / `real-qwen3-vl`: what a real-size 2B model costs on this
// machine, per dtype, through the loader real models use, each dtype in its own process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Device } from '../../../src-main/engine/models/devices.js';
import { checkModelDir } from '../../../src-main/engine/models/manifest.js';
import { cachedRealSizeModel, type RealSizeDtype, type RealSizeName } from '../../fixtures/real-size/generate.js';
import { TEN_MIN, THREE_MIN } from '../clips.js';
import { timed, type Report } from '../timed.js';
import { dimsOf } from './dims.js';
import { pictureSizes } from './picture-sizes.js';
import { measureLimits } from './limits.js';
import { clipPlans, planSizes } from './plans.js';
import { printCosts, printPerMinute, type Measured } from './report.js';
import type { WorkerFigures, WorkerJob } from './worker.js';

const WORKER = path.join(process.cwd(), 'build', 'tests', 'bench', 'real-size', 'worker.js');

export interface RealSizeBench {
  name: RealSizeName;
  dtypes: RealSizeDtype[];
  device: Device;
  /** The worker is killed past this (webgpu through Mesa is a CPU emulation and may crawl). */
  timeoutS: number;
}

async function measure(job: WorkerJob, timeoutS: number): Promise<{ fig: WorkerFigures; peakRss: number } | string> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-bench-job-')), 'job.json');
  fs.writeFileSync(file, JSON.stringify(job));
  try {
    const run = await timed(process.execPath, [WORKER, file], { timeoutS });
    return { fig: JSON.parse(run.stdout) as WorkerFigures, peakRss: run.peakRss };
  } catch (e) {
    // The worker's last progress lines, then why it stopped.
    return (e as Error).message.split('\n').slice(-4).join(' | ');
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

export async function benchRealSize(report: Report, b: RealSizeBench): Promise<void> {
  const started = performance.now();
  const dir = await cachedRealSizeModel(b.name, b.dtypes, (line) => console.log(`  ${line}`));
  const manifest = checkModelDir(dir).manifest;
  if (!manifest) throw new Error(`bench: ${dir} holds no tempo-model.json`);
  const limits = await measureLimits();
  console.log(
    `${b.name} on ${b.device}: this machine reaches ${limits.matmulGflops.toFixed(1)} GFLOP/s on one ` +
      `${limits.shapes.matmul.join('x')} fp32 MatMul and ${limits.gemvGBs.toFixed(1)} GB/s on a ` +
      `${limits.shapes.gemv.join('x')} fp32 matrix-vector product`,
  );
  const plans = await clipPlans([
    { label: '3-min clip with 2 events', recipe: THREE_MIN },
    { label: '10-min recording with 3 events', recipe: TEN_MIN },
  ]);
  const dims = dimsOf(dir);
  const pictures = pictureSizes(dir, manifest.family);
  const sizes = planSizes(plans, pictures);
  for (const dtype of b.dtypes) {
    const dtypes = { vision_encoder: dtype, embed_tokens: dtype, decoder_model_merged: dtype };
    const job: WorkerJob = {
      dir,
      manifest: { ...manifest, dtype: dtypes },
      device: b.device,
      sizes,
      reps: b.device === 'cpu' ? 2 : 1,
      prefillParts: b.device === 'cpu' ? 6 : 1,
      decodeTokens: b.device === 'cpu' ? 8 : 3,
      samples: 3,
    };
    const got = await measure(job, b.timeoutS);
    if (typeof got === 'string') {
      console.log(`  ${b.name} ${dtype} on ${b.device}: no figures (${got})`);
      continue;
    }
    const m: Measured = { label: `${b.name} ${b.device}`, dtype, ...got };
    printCosts(m, dims, limits);
    const opts = { contextTokens: manifest.contextTokens, samples: 3, answerTokens: 21 };
    printPerMinute(report, m, dims, plans, opts, pictures);
  }
  console.log(`  (${b.name} part took ${((performance.now() - started) / 60000).toFixed(1)} min)`);
}
