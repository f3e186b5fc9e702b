// `npm run bench -- real-memory`: peak memory of `tempo ground` (the whole process tree) with a
// real-size 2B model on a 2-minute and a 10-minute recording: it must not grow with the footage.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkModelDir } from '../../../src-main/engine/models/manifest.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { cachedRealSizeModel, type RealSizeDtype, type RealSizeName } from '../../fixtures/real-size/generate.js';
import { TEN_MIN, TWO_MIN } from '../clips.js';
import { tempo, type Report } from '../timed.js';

const MB = 1024 * 1024;
/**
 * What grounding holds besides the weights, whatever the footage (prompt prefixes' KV caches
 * go to disk, models/local/prefix-disk.ts): a 512-token prompt chunk's logits (the output and
 * the integer head's int32 and float copies, about 0.9 GB for a 151,936-token vocabulary); a
 * window's KV cache tiled for 3 answers (about 0.35 GB) three times over during a decoding
 * step (the past held by Node, the present made by the runtime and its copy handed back:
 * about 1 GB); a vision run of at most 1024 patches (about 0.3 GB); and the runtime's arena, Node's heaps and
 * the C allocator's slack, Node and ffmpeg (about 2 GB, what the peaks measured on top of the
 * rest: 5.8-6.4 GB for Qwen2-VL-2B q8 on either recording).
 */
const WORKING_SET = 4.25 * 1024 * MB;

/**
 * A folder showing the cached model with another dtype: links to its files and its own
 * tempo-model.json (the cached folder stays as generated).
 */
function dtypeView(dir: string, dtype: RealSizeDtype, into: string): string {
  const view = path.join(into, `${path.basename(dir)}-${dtype}`);
  fs.mkdirSync(path.join(view, 'onnx'), { recursive: true });
  for (const name of fs.readdirSync(dir))
    if (name !== 'onnx' && name !== 'tempo-model.json') fs.symlinkSync(path.join(dir, name), path.join(view, name));
  for (const name of fs.readdirSync(path.join(dir, 'onnx')))
    fs.symlinkSync(path.join(dir, 'onnx', name), path.join(view, 'onnx', name));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'tempo-model.json'), 'utf8')) as Record<string, unknown>;
  const dtypes = { vision_encoder: dtype, embed_tokens: dtype, decoder_model_merged: dtype };
  fs.writeFileSync(
    path.join(view, 'tempo-model.json'),
    JSON.stringify({ ...manifest, name: path.basename(view), dtype: dtypes }),
  );
  if (!checkModelDir(view).manifest) throw new Error(`bench: ${view} is not a model folder`);
  return view;
}

/** Bytes of the dtype's session files (graphs and their data), what the weights take once loaded. */
function weightBytes(view: string): number {
  const manifest = JSON.parse(fs.readFileSync(path.join(view, 'tempo-model.json'), 'utf8')) as {
    dtype: Record<string, string>;
  };
  const suffix = { fp32: '', q4: '_q4', q8: '_quantized' }[manifest.dtype['decoder_model_merged'] ?? 'fp32'] ?? '';
  return fs
    .readdirSync(path.join(view, 'onnx'))
    .filter((f) => f.includes(`${suffix}.onnx`) && (suffix !== '' || !/_(q4|quantized)/.test(f)))
    .reduce((a, f) => a + fs.statSync(path.join(view, 'onnx', f)).size, 0);
}

/** Bytes of the files under a folder (none: 0). */
function folderBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((a, e) => a + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
}

export async function benchRealMemory(report: Report, name: RealSizeName, dtype: RealSizeDtype): Promise<void> {
  const dir = await cachedRealSizeModel(name, [dtype], (line) => console.log(`  ${line}`));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-bench-memory-'));
  try {
    const view = dtypeView(dir, dtype, home);
    const clips = [
      { label: '2-minute', file: await makeVideo(TWO_MIN) },
      { label: '10-minute', file: await makeVideo(TEN_MIN) },
    ];
    const peaks: number[] = [];
    for (const [i, clip] of clips.entries()) {
      await tempo(home, 'import', clip.file);
      await tempo(home, 'scan', String(i + 1));
      const run = await tempo(home, 'ground', String(i + 1), 'a white box appears', '--model', view);
      const doc = JSON.parse(run.stdout) as { timings?: Record<string, number>; windows?: unknown[] };
      peaks.push(run.peakRss);
      console.log(
        `  ${name} ${dtype}, ${clip.label} recording: ground took ${(run.seconds / 60).toFixed(1)} min, ` +
          `peak RSS ${(run.peakRss / MB).toFixed(0)} MB (timings ${JSON.stringify(doc.timings ?? {})})`,
      );
    }
    const [short = 0, long = 0] = peaks;
    const weights = weightBytes(view);
    // README: the weights and a working set that does not grow with footage.
    const bound = weights + WORKING_SET;
    console.log(
      `  bound: weights of the ${dtype} files ${(weights / MB).toFixed(0)} MB + working set ` +
        `${(WORKING_SET / MB).toFixed(0)} MB = ${(bound / MB).toFixed(0)} MB; prefix KV caches on disk ` +
        `${(folderBytes(path.join(home, 'cache-prefixes')) / MB).toFixed(0)} MB`,
    );
    const highest = Math.max(short, long);
    report(
      `${name} ${dtype}: peak RSS grounding either recording, against the README's bound`,
      `${(highest / MB).toFixed(0)} MB`,
      `< ${(bound / MB).toFixed(0)} MB`,
      highest < bound,
    );
    report(
      `${name} ${dtype}: peak RSS grounding 10-min / 2-min recording`,
      `${(long / short).toFixed(3)} (${(long / MB).toFixed(0)} MB / ${(short / MB).toFixed(0)} MB)`,
      'within 10%',
      Math.abs(long / short - 1) <= 0.1,
    );
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
