// Printing one model's measured figures: per dtype, the raw costs, then each against the
// machine's limits, then compute per minute of footage, SAA plan against uniform 2 fps.
import type { Report } from '../timed.js';
import { decodeBytes, prefillFlops, visionFlops, type ModelDims } from './flops.js';
import type { MachineLimits } from './limits.js';
import { planCost } from './per-minute.js';
import type { PictureSize } from './picture-sizes.js';
import type { ClipPlan } from './plans.js';
import type { WorkerFigures } from './worker.js';

const MB = 1024 * 1024;
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

export interface Measured {
  label: string;
  dtype: string;
  fig: WorkerFigures;
  peakRss: number;
}

/** The raw figures of one model and dtype, and each against this machine's limits. */
export function printCosts(m: Measured, dims: ModelDims, limits: MachineLimits): void {
  const { fig } = m;
  console.log(
    `  ${m.label} ${m.dtype}: load ${f1(fig.loadMs / 1000)} s, RSS after load ${(fig.rssAfterLoad / MB).toFixed(0)} MB, ` +
      `peak RSS ${(m.peakRss / MB).toFixed(0)} MB`,
  );
  for (const v of fig.vision) {
    const gflops = visionFlops(dims, v.patches) / v.msPerFrame / 1e6;
    console.log(
      `    vision ${v.width}x${v.height} (${v.patches} patches, ${v.visualTokens} tokens): ${v.msPerFrame.toFixed(0)} ms/frame, ` +
        `${f1(gflops)} GFLOP/s = ${f2(gflops / limits.matmulGflops)} of one large MatMul`,
    );
  }
  const r = fig.visionRuns;
  console.log(
    `    vision, ${r.parts} image parts of one prompt (${r.patches} patches): ${(r.oneRunMs / r.parts).toFixed(0)} ms/part ` +
      `in one run, ${(r.boundedMs / r.parts).toFixed(0)} ms/part in runs of at most ${r.bound} patches ` +
      `= ${f2(r.oneRunMs / r.boundedMs)}x faster`,
  );
  console.log(
    `    the same prompt read in one decoder pass, then in chunks of ${fig.after.prefillChunk} tokens: prefill ` +
      `${(fig.before.prefillMs / 1000).toFixed(1)} s -> ${(fig.prefill.ms / 1000).toFixed(1)} s = ${f2(fig.before.prefillMs / fig.prefill.ms)}x, ` +
      `peak RSS ${(fig.before.peakRss / MB).toFixed(0)} MB -> ${(fig.after.peakRss / MB).toFixed(0)} MB ` +
      `(with the vision runs before and after) = ${f2(fig.before.peakRss / fig.after.peakRss)}x less`,
  );
  const prefillTps = (fig.prefill.tokens / fig.prefill.ms) * 1000;
  const prefillGflops = prefillFlops(dims, fig.prefill.tokens) / fig.prefill.ms / 1e6;
  console.log(
    `    prefill ${fig.prefill.tokens} tokens: ${f1(prefillTps)} tokens/s, ${f1(prefillGflops)} GFLOP/s = ` +
      `${f2(prefillGflops / limits.matmulGflops)} of one large MatMul`,
  );
  const step1 = fig.decode1.ms / fig.decode1.tokens;
  const gbs = decodeBytes(dims, m.dtype, fig.prefill.tokens) / step1 / 1e6;
  const stepN = fig.decodeN.ms / (fig.decodeN.tokens / fig.decodeN.batch);
  console.log(
    `    decode: ${f1(1000 / step1)} tokens/s one answer (${f1(gbs)} GB/s = ${f2(gbs / limits.gemvGBs)} of a large ` +
      `matrix-vector product), ${f1((1000 * fig.decodeN.batch) / stepN)} tokens/s drawing ${fig.decodeN.batch} answers together`,
  );
}

/** Compute per minute of footage under each clip's SAA plan and under uniform 2 fps; the ratio goes to `report`. */
export function printPerMinute(
  report: Report,
  m: Measured,
  dims: ModelDims,
  plans: readonly ClipPlan[],
  opts: { contextTokens: number; samples: number; answerTokens: number },
  pictures: PictureSize | null = null,
): void {
  for (const p of plans) {
    const base = { durationS: p.durationS, events: p.events, ...opts };
    const saa = planCost({ ...base, frames: p.saa }, m.fig, dims);
    const uni = planCost({ ...base, frames: p.uniform }, m.fig, dims);
    if (pictures) {
      // Before frame-bounds.ts: every frame lifted to the image processor's minimum.
      const saaPic = planCost({ ...base, frames: p.saa, seenAs: pictures }, m.fig, dims);
      const uniPic = planCost({ ...base, frames: p.uniform, seenAs: pictures }, m.fig, dims);
      console.log(
        `  ${m.label} ${m.dtype}, ${p.label}: frames as pictures (lifted to the image minimum) -> as video frames: ` +
          `SAA ${f1(saaPic.perMinute)} -> ${f1(saa.perMinute)} s per minute = ${f2(saaPic.perMinute / saa.perMinute)}x less, ` +
          `SAA / uniform ${(saaPic.perMinute / uniPic.perMinute).toFixed(3)} -> ${(saa.perMinute / uni.perMinute).toFixed(3)}`,
      );
    }
    const line = (name: string, c: typeof saa) =>
      `    ${name}: ${c.windows} windows, ${c.imageParts} image parts, ${c.visualTokens} visual tokens -> ` +
      `${f1(c.perMinute)} s per minute (vision ${f1(c.seconds.vision)}, prefill ${f1(c.seconds.prefill)}, ` +
      `decode ${f1(c.seconds.decode)}, refine ${f1(c.seconds.refine)} s in all)`;
    console.log(`  ${m.label} ${m.dtype}, ${p.label} (extrapolated from the costs above):`);
    console.log(line('SAA    ', saa));
    console.log(line('uniform', uni));
    const ratio = saa.perMinute / uni.perMinute;
    report(
      `${m.label} ${m.dtype}: compute per minute, SAA / uniform 2 fps, ${p.label}`,
      `${ratio.toFixed(3)} (${f1(saa.perMinute)} s / ${f1(uni.perMinute)} s), boundaries covered ${p.covered}/${p.boundaries}`,
      '<= 0.25, all covered',
      ratio <= 0.25 && p.covered === p.boundaries,
    );
  }
}
