import type { PlannedFrame } from '../../../src-shared/scans.js';
import { streamFrames } from '../media/frames.js';
import { MediaError } from '../media/tools.js';
import { detectChangePoints } from './change-points.js';
import { ChangeScorer, type ActivityTrack } from './change-scorer.js';
import { planFrames } from './frame-plan.js';

/** Rate at which a recording is sampled to score change, frames per second. */
export const ANALYSIS_FPS = 4;
/** Width of the grey frames change is scored on, pixels. */
export const ANALYSIS_WIDTH = 64;

export interface AnalyseOptions {
  /** Duration of the recording (from its probe), seconds. */
  durationS: number;
  /** Size of the recording's video. */
  width: number;
  height: number;
  /** Visual tokens the frame plan may spend. */
  budgetTokens: number;
  signal?: AbortSignal;
  /** Called with the fraction done, 0..1: never decreasing, and 1 at the end. */
  onProgress?: (fraction: number) => void;
}

export interface Analysis {
  /** Times where something starts or stops, seconds, sorted. */
  changePoints: number[];
  frames: PlannedFrame[];
  visualTokens: number;
  uniformTokens: number;
  /** Why the plan falls short of its priorities, if it does (see planFrames). */
  warnings: string[];
  track: ActivityTrack;
}

/** Height of the analysis frames: the source aspect at {@link ANALYSIS_WIDTH}, even, at least 2. */
export function analysisHeight(width: number, height: number): number {
  return Math.max(2, Math.round((ANALYSIS_WIDTH * height) / width / 2) * 2);
}

/**
 * Scores a recording's change over time and plans its frames under a token budget: streams
 * it as small grey frames at {@link ANALYSIS_FPS}, feeds a {@link ChangeScorer}, detects
 * change points and plans frames. Memory stays flat however long the recording is.
 * Rejects with a MediaError when ffmpeg fails or the signal aborts.
 */
export async function analyseRecording(file: string, opts: AnalyseOptions): Promise<Analysis> {
  const fps = ANALYSIS_FPS;
  const width = ANALYSIS_WIDTH;
  const height = analysisHeight(opts.width, opts.height);
  const expected = Math.max(1, opts.durationS * fps);
  const scorer = new ChangeScorer({ fps });
  let reported = 0;
  const report = (fraction: number): void => {
    // At most every 1% and never backwards; 1 is kept for the very end.
    const f = Math.min(fraction, 0.99);
    if (f >= reported + 0.01) {
      reported = f;
      opts.onProgress?.(f);
    }
  };
  const frames = streamFrames(file, { fps, width, height, pixelFormat: 'gray', signal: opts.signal });
  if (opts.signal?.aborted) throw new MediaError('cancelled');
  for await (const frame of frames) {
    scorer.push(frame);
    report(scorer.samples / expected);
  }
  const track = scorer.finish();
  const changePoints = detectChangePoints(track);
  const plan = planFrames({
    durationS: opts.durationS,
    sourceWidth: opts.width,
    sourceHeight: opts.height,
    track,
    changePoints,
    budgetTokens: opts.budgetTokens,
  });
  opts.onProgress?.(1);
  return { changePoints, ...plan, track };
}
