// Issue 3: tokens per window and time per minute of video, the recording's SAA frame plan
// against uniform 2 fps at the plan's largest size, through the same pipeline, model and device.
import type { PlannedFrame } from '../../src-shared/scans.js';
import { Engine } from '../../src-main/engine/engine.js';
import { LocalBackend } from '../../src-main/engine/grounding/local-backend.js';
import { groundRecording, type GroundInput, type GroundOutput } from '../../src-main/engine/grounding/pipeline.js';
import { checkModelDir } from '../../src-main/engine/models/manifest.js';
import { LocalModel } from '../../src-main/engine/models/local/model.js';
import { getProfile } from '../../src-main/engine/models/profiles/index.js';
import { qwenTokens, smartResize } from '../../src-main/engine/saa/tokens.js';
import { uniformPlan } from './plan-checks.js';
import type { Report } from './timed.js';

/** The scan's largest (active) frame area, frame-plan.ts's default. */
const ACTIVE_MAX_PIXELS = 448 * 252;
/** Answers per window: the CLI's default. */
const SAMPLES = 3;

interface PlanFigures {
  frames: number;
  windows: number;
  meanTokens: number;
  totalTokens: number;
  secondsPerMinute: number;
  out: GroundOutput;
}

function figures(frames: readonly PlannedFrame[], out: GroundOutput, durationS: number): PlanFigures {
  const totalTokens = out.windows.reduce((a, w) => a + w.visualTokens, 0);
  return {
    frames: frames.length,
    windows: out.windows.length,
    meanTokens: totalTokens / Math.max(1, out.windows.length),
    totalTokens,
    secondsPerMinute: out.timings.totalMs / 1000 / (durationS / 60),
    out,
  };
}

function line(label: string, f: PlanFigures): string {
  const t = f.out.timings;
  return (
    `  ${label}: ${f.frames} frames, ${f.windows} windows, ${f.meanTokens.toFixed(0)} visual tokens per window, ` +
    `${f.totalTokens} in all, ${f.secondsPerMinute.toFixed(2)} s per minute of video ` +
    `(total ${t.totalMs} ms: decode ${t.decodeMs}, model ${t.modelMs}, refine ${t.refineMs})`
  );
}

/** Grounds recording 1 of `home` twice, no cache on either side: SAA plan, then uniform 2 fps. */
export async function benchPlans(report: Report, home: string, modelDir: string): Promise<void> {
  const engine = Engine.open(home);
  try {
    const rec = engine.recordings.get(1);
    const scan = engine.scans.latest(1);
    const check = checkModelDir(modelDir);
    const profile = getProfile(check.manifest?.profile ?? '');
    if (!rec || !scan || !check.manifest || !profile) throw new Error('bench: no recording, scan or model');
    const model = await LocalModel.load(modelDir, check.manifest, 'cpu');
    const s = smartResize(rec.height, rec.width, { maxPixels: ACTIVE_MAX_PIXELS });
    const size = { width: s.width, height: s.height, tokens: qwenTokens(s.width, s.height) };
    const largest = Math.max(...scan.frames.map((f) => f.tokens));
    if (largest !== size.tokens)
      console.log(`  note: the plan's largest frame has ${largest} tokens, not ${size.tokens}`);
    const base: Omit<GroundInput, 'frames'> = {
      source: { file: rec.path, key: engine.recordings.fingerprint(rec.id) ?? rec.path, sourceFps: rec.fps },
      durationS: rec.durationS,
      query: 'a white box appears',
      changePoints: scan.changePoints,
      backend: new LocalBackend(model),
      profile,
      contextTokens: check.manifest.contextTokens,
      samples: SAMPLES,
    };
    // Warm the ONNX sessions up on a few frames first, so neither side pays for it.
    await groundRecording({ ...base, frames: scan.frames.slice(0, 4), samples: 1, noRefine: true });

    const uniform = uniformPlan(rec.durationS, size);
    const saa = figures(scan.frames, await groundRecording({ ...base, frames: scan.frames }), rec.durationS);
    const uni = figures(uniform, await groundRecording({ ...base, frames: uniform }), rec.durationS);
    console.log(
      `  SAA plan vs uniform 2 fps at ${size.width}x${size.height} (${size.tokens} planned tokens a frame, ` +
        `${model.visualTokens(size.width, size.height)} after the bench model's processor), ` +
        `context ${check.manifest.contextTokens}, ${SAMPLES} samples, no cache, refinement on:`,
    );
    console.log(line('SAA    ', saa));
    console.log(line('uniform', uni));
    const tokenRatio = saa.totalTokens / uni.totalTokens;
    const timeRatio = saa.secondsPerMinute / uni.secondsPerMinute;
    report(
      'grounding visual tokens, SAA plan / uniform 2 fps (sum over windows)',
      `${tokenRatio.toFixed(3)} (${saa.totalTokens} / ${uni.totalTokens}; per window ${saa.meanTokens.toFixed(0)} / ${uni.meanTokens.toFixed(0)})`,
      '<= 0.25',
      tokenRatio <= 0.25,
    );
    report(
      'grounding time per minute of video, SAA plan / uniform 2 fps',
      `${timeRatio.toFixed(3)} (${saa.secondsPerMinute.toFixed(2)} s / ${uni.secondsPerMinute.toFixed(2)} s per minute)`,
      '< 1',
      timeRatio < 1,
    );
    await model.dispose();
  } finally {
    engine.close();
  }
}
