import { describe, expect, it } from 'vitest';
import { DEFAULT_SCAN_BUDGET } from '../../../src-shared/scans.js';
import { probeVideo } from '../../../src-main/engine/media/probe.js';
import { analyseRecording, type Analysis } from '../../../src-main/engine/saa/index.js';
import { makeVideo, recipeBoundaries, type VideoRecipe } from '../../fixtures/make-video.js';

// Real ffmpeg: each clip is encoded once (cached under .cache/fixtures), probed, then
// analysed through the same path a scan takes. Every event happens at a time the recipe
// states, with sensor-like noise (noise=alls=7:allf=t+u) over the whole picture.
const TIMEOUT = 60_000;
const TOLERANCE_S = 0.5;

const clips: Record<string, VideoRecipe> = {
  'boxes that appear and vanish': {
    durationS: 30,
    width: 320,
    height: 180,
    events: [
      { kind: 'box', from: 6.3, to: 12.7, x: 50, y: 40, w: 40, h: 30, color: '0xd0d0d0' },
      { kind: 'box', from: 15.4, to: 22.1, x: 200, y: 100, w: 24, h: 24, color: '0x303030' },
    ],
  },
  'a moving object': {
    durationS: 25,
    width: 320,
    height: 180,
    events: [{ kind: 'mover', from: 8.2, to: 15.6, x0: 20, y: 60, w: 30, h: 30, speed: 30, color: 'white' }],
  },
  'a hard cut': {
    durationS: 20,
    width: 320,
    height: 180,
    background: 'pattern',
    events: [{ kind: 'cut', at: 11.3, color: '0x404040' }],
  },
  // 2.5 px/s over soft gradients: frame to frame (at the 4 fps analysis rate) the picture
  // mostly changes less than the threshold; the comparison with 1 s back is what sees it.
  'a slow pan': {
    durationS: 25,
    width: 320,
    height: 180,
    background: 'smooth',
    events: [{ kind: 'pan', from: 7.1, to: 16.4, speed: 2.5 }],
  },
};

const STATIC: VideoRecipe = { durationS: 20, width: 640, height: 360, gop: 25, events: [] };

async function analyse(recipe: VideoRecipe, progress: number[] = []): Promise<Analysis> {
  const file = await makeVideo(recipe);
  const info = await probeVideo(file);
  return analyseRecording(file, {
    durationS: info.durationS,
    width: info.width,
    height: info.height,
    budgetTokens: DEFAULT_SCAN_BUDGET,
    onProgress: (f) => progress.push(f),
  });
}

const distance = (t: number, times: readonly number[]): number =>
  times.reduce((m, x) => Math.min(m, Math.abs(x - t)), Infinity);

describe('analyseRecording on encoded clips', () => {
  for (const [name, recipe] of Object.entries(clips)) {
    it(
      `finds every boundary of ${name} and plans a frame at each`,
      async () => {
        const progress: number[] = [];
        const result = await analyse(recipe, progress);
        const truth = recipeBoundaries(recipe);
        expect(truth.length).toBeGreaterThan(0);
        const frameTimes = result.frames.map((f) => f.t);
        for (const b of truth) {
          expect(
            distance(b, result.changePoints),
            `change point near ${b}: ${result.changePoints}`,
          ).toBeLessThanOrEqual(TOLERANCE_S);
          expect(distance(b, frameTimes), `frame near ${b}`).toBeLessThanOrEqual(TOLERANCE_S);
        }
        // Nothing reported where nothing happens.
        for (const cp of result.changePoints) {
          expect(distance(cp, truth), `change point ${cp} is a true boundary`).toBeLessThanOrEqual(TOLERANCE_S);
        }
        expect(result.visualTokens).toBeLessThanOrEqual(DEFAULT_SCAN_BUDGET);
        expect(result.visualTokens).toBeLessThan(result.uniformTokens);
        expect(result.warnings).toEqual([]);
        expect(progress.length).toBeGreaterThan(5);
        expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true);
        expect(progress.at(-1)).toBe(1);
        expect(result.track.count).toBeCloseTo(recipe.durationS * 4, -1);
      },
      TIMEOUT,
    );
  }

  it(
    'finds no change point in 20 s of static noisy video and spends little',
    async () => {
      const result = await analyse(STATIC);
      expect(result.changePoints).toEqual([]);
      expect(result.track.noiseSigma).toBeGreaterThan(0);
      expect(Math.max(...result.track.activity)).toBeLessThan(0.004);
      expect(result.visualTokens).toBeLessThan(DEFAULT_SCAN_BUDGET / 10);
      const times = [0, ...result.frames.map((f) => f.t), STATIC.durationS];
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(4);
    },
    TIMEOUT,
  );

  it(
    'stops ffmpeg and rejects when cancelled',
    async () => {
      const file = await makeVideo(STATIC);
      const controller = new AbortController();
      const run = analyseRecording(file, {
        durationS: STATIC.durationS,
        width: STATIC.width,
        height: STATIC.height,
        budgetTokens: DEFAULT_SCAN_BUDGET,
        signal: controller.signal,
        onProgress: (f) => {
          if (f > 0.2) controller.abort();
        },
      });
      await expect(run).rejects.toThrow(/cancelled/);
    },
    TIMEOUT,
  );
});
