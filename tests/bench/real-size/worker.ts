// One model, one dtype, one device, in its own process (so its load time and peak memory are
// its own): `node build/tests/bench/real-size/worker.js <job.json>` prints one JSON line of
// measured figures (WorkerFigures). The model goes through the loader real models use.
import fs from 'node:fs';
import type { Device } from '../../../src-main/engine/models/devices.js';
import type { ModelManifest } from '../../../src-main/engine/models/manifest.js';
import type { CallStats } from '../../../src-main/engine/models/local/compute-stats.js';
import { LocalModel } from '../../../src-main/engine/models/local/model.js';
import { framesMessage, type PromptFrame } from '../../../src-main/engine/models/local/prompt.js';

export interface FrameSizeAsked {
  width: number;
  height: number;
}

export interface WorkerJob {
  dir: string;
  manifest: ModelManifest;
  device: Device;
  /** SAA frame sizes to time the vision encoder at (one frame per run, `reps` runs each). */
  sizes: FrameSizeAsked[];
  reps: number;
  /** Image parts of the prefill prompt (pairs of frames at sizes[0]), and of the batched-encoder run. */
  prefillParts: number;
  /** Decode steps to time (answers are cut there: random weights never end one). */
  decodeTokens: number;
  /** Answers drawn together for the batched decode figure. */
  samples: number;
  /** onnxruntime's CPU memory arena on or off; absent: LocalModel's default. */
  arena?: boolean;
}

export interface VisionFigure extends FrameSizeAsked {
  patches: number;
  visualTokens: number;
  msPerFrame: number;
}

export interface WorkerFigures {
  loadMs: number;
  rssAfterLoad: number;
  vision: VisionFigure[];
  /**
   * The vision encoder over `prefillParts` image parts of one prompt: all in one run (as the
   * code did before runs were bounded) and in runs of the default size (LocalModel.visionRunPatches).
   */
  visionRuns: { parts: number; patches: number; oneRunMs: number; boundedMs: number; bound: number };
  prefill: { tokens: number; ms: number };
  /**
   * The same prompt read before the changes these figures led to (vision parts in one run,
   * the prompt in one decoder pass) and after (bounded runs, chunks of LocalModel.prefillChunk):
   * prefill time and the process's peak memory during each.
   */
  before: { prefillMs: number; peakRss: number };
  after: { peakRss: number; prefillChunk: number };
  decode1: { tokens: number; ms: number };
  decodeN: { batch: number; tokens: number; ms: number };
  peakRssInProcess: number;
}

/** Progress on stderr: where a worker killed for time got to. */
function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

let seed = 1;
let peak = 0;
/** Peak resident memory while `f` runs (sampled every 50 ms and at its end). */
async function peakDuring<T>(f: () => Promise<T>): Promise<[T, number]> {
  peak = process.memoryUsage().rss;
  const out = await f();
  return [out, Math.max(peak, process.memoryUsage().rss)];
}

/** A frame of noise (each call different, so nothing is served from a cache). */
function noiseFrame(width: number, height: number, t: number): PromptFrame {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = seed >>> 24;
  }
  return { width, height, data, t };
}

function delta(after: CallStats, before: CallStats): CallStats {
  return { calls: after.calls - before.calls, units: after.units - before.units, ms: after.ms - before.ms };
}

type Stats = LocalModel['compute'];
const snapshot = (m: LocalModel): Stats => structuredClone(m.compute);

/** Asks one prompt of `groups`, drawing `samples` answers of `tokens` tokens; the compute it took. */
async function ask(model: LocalModel, groups: PromptFrame[][], samples: number, tokens: number): Promise<Stats> {
  const before = snapshot(model);
  const p = await model.prepare([framesMessage(groups, 'Find the moment a worker drops a box.', model.time)]);
  await model.generate(p, { samples, maxNewTokens: tokens });
  await model.done(p);
  const after = model.compute;
  return {
    vision: delta(after.vision, before.vision),
    prefill: delta(after.prefill, before.prefill),
    decode: delta(after.decode, before.decode),
  };
}

async function visionAt(model: LocalModel, size: FrameSizeAsked, reps: number): Promise<VisionFigure> {
  let ms = 0;
  let patches = 0;
  for (let r = 0; r < reps; r++) {
    const s = await ask(model, [[noiseFrame(size.width, size.height, 0)]], 1, 1);
    ms += s.vision.ms;
    patches = s.vision.units;
  }
  return { ...size, patches, visualTokens: model.visualTokens(size.width, size.height), msPerFrame: ms / reps };
}

async function run(job: WorkerJob): Promise<WorkerFigures> {
  let overall = 0;
  const sample = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    overall = Math.max(overall, peak);
  }, 50);
  const t0 = performance.now();
  const model = await LocalModel.load(job.dir, job.manifest, job.device, {
    ...(job.arena === undefined ? {} : { cpuMemArena: job.arena }),
  });
  const loadMs = performance.now() - t0;
  log(`loaded in ${(loadMs / 1000).toFixed(1)} s`);
  const rssAfterLoad = process.memoryUsage().rss;
  // Warm-up: first runs allocate the sessions' buffers.
  await ask(model, [[noiseFrame(56, 56, 0)]], 1, 2);
  const vision: VisionFigure[] = [];
  for (const size of job.sizes) {
    vision.push(await visionAt(model, size, job.reps));
    log(`vision ${size.width}x${size.height}: ${(vision.at(-1) as VisionFigure).msPerFrame.toFixed(0)} ms/frame`);
  }
  const main = job.sizes[0] as FrameSizeAsked;
  const groups = Array.from({ length: job.prefillParts }, (_, i) => [
    noiseFrame(main.width, main.height, i),
    noiseFrame(main.width, main.height, i + 0.5),
  ]);
  const fresh = () => groups.map((g) => g.map((f) => noiseFrame(f.width, f.height, f.t)));
  // After first: memory the runtime takes stays taken, so the lower figure must come first.
  const [bound, chunk] = [model.visionRunPatches, model.prefillChunk];
  const [one, afterPeak] = await peakDuring(() => ask(model, groups, 1, job.decodeTokens));
  [model.visionRunPatches, model.prefillChunk] = [Infinity, Infinity];
  const [oneRun, beforePeak] = await peakDuring(() => ask(model, fresh(), 1, 1));
  [model.visionRunPatches, model.prefillChunk] = [bound, chunk];
  const batched = await ask(model, groups.slice(0, 2), job.samples, job.decodeTokens);
  clearInterval(sample);
  await model.dispose();
  return {
    loadMs,
    rssAfterLoad,
    vision,
    visionRuns: {
      parts: job.prefillParts,
      patches: one.vision.units,
      oneRunMs: oneRun.vision.ms,
      boundedMs: one.vision.ms,
      bound,
    },
    prefill: { tokens: one.prefill.units, ms: one.prefill.ms },
    before: { prefillMs: oneRun.prefill.ms, peakRss: beforePeak },
    after: { peakRss: afterPeak, prefillChunk: chunk },
    decode1: { tokens: one.decode.units, ms: one.decode.ms },
    decodeN: { batch: job.samples, tokens: batched.decode.units, ms: batched.decode.ms },
    peakRssInProcess: Math.max(overall, process.memoryUsage().rss),
  };
}

const jobFile = process.argv[2];
if (jobFile) {
  const job = JSON.parse(fs.readFileSync(jobFile, 'utf8')) as WorkerJob;
  process.stdout.write(JSON.stringify(await run(job)) + '\n');
}
