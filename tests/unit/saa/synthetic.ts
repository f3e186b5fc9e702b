import { seededRandom } from '../../../src-main/engine/grounding/stage-two.js';
import { ChangeScorer, type ActivityTrack } from '../../../src-main/engine/saa/index.js';

/** Seeded uniform random numbers in [0, 1) (mulberry32), so synthetic scenes are repeatable. */
export const rng: (seed: number) => () => number = seededRandom;

/** Draws the noiseless scene at time t into `img` (values 0..255, may be fractional). */
export type Scene = (t: number, img: Float32Array, width: number, height: number) => void;

export interface SyntheticClip {
  durationS: number;
  fps?: number;
  width?: number;
  height?: number;
  /** Standard deviation of the per-frame sensor noise, grey levels (default 1.5). */
  noise?: number;
  seed?: number;
  scene: Scene;
}

/**
 * Renders a clip frame by frame into ONE reused buffer (as streamFrames does) and feeds
 * a ChangeScorer with it; returns the scorer's track.
 */
export function scoreClip(clip: SyntheticClip): ActivityTrack {
  const fps = clip.fps ?? 4;
  const width = clip.width ?? 64;
  const height = clip.height ?? 36;
  const scorer = new ChangeScorer({ fps });
  for (const frame of renderClip(clip)) scorer.push({ width, height, data: frame.data });
  return scorer.finish();
}

/** The clip's frames at its fps; `data` is the same buffer every time. */
export function* renderClip(clip: SyntheticClip): Generator<{ t: number; data: Uint8Array }> {
  const fps = clip.fps ?? 4;
  const width = clip.width ?? 64;
  const height = clip.height ?? 36;
  const sigma = clip.noise ?? 1.5;
  const rand = rng(clip.seed ?? 1);
  const img = new Float32Array(width * height);
  const data = new Uint8Array(width * height);
  const n = Math.round(clip.durationS * fps);
  for (let i = 0; i < n; i++) {
    const t = i / fps;
    img.fill(96);
    clip.scene(t, img, width, height);
    for (let p = 0; p < img.length; p++) {
      // Gaussian noise by Box-Muller.
      const g = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      data[p] = Math.max(0, Math.min(255, Math.round(img[p]! + sigma * g)));
    }
    yield { t, data };
  }
}

/** Fills the rectangle [x, x+w) x [y, y+h) with `value`, with fractional edges blended. */
export function fillRect(
  img: Float32Array,
  width: number,
  height: number,
  rect: { x: number; y: number; w: number; h: number },
  value: number,
): void {
  for (let yy = Math.max(0, Math.floor(rect.y)); yy < Math.min(height, Math.ceil(rect.y + rect.h)); yy++) {
    const cy = Math.min(yy + 1, rect.y + rect.h) - Math.max(yy, rect.y);
    for (let xx = Math.max(0, Math.floor(rect.x)); xx < Math.min(width, Math.ceil(rect.x + rect.w)); xx++) {
      const cx = Math.min(xx + 1, rect.x + rect.w) - Math.max(xx, rect.x);
      const cover = Math.max(0, cx) * Math.max(0, cy);
      const p = yy * width + xx;
      img[p] = img[p]! * (1 - cover) + value * cover;
    }
  }
}

/** A hand-made track: activity given per sample. */
export function trackOf(activity: number[], fps = 4, lingerS = 0.25): ActivityTrack {
  return {
    fps,
    count: activity.length,
    noiseSigma: 1,
    threshold: 6,
    lingerS,
    activity: Float32Array.from(activity),
  };
}

/** Distance from t to the nearest of `times` (Infinity when there are none). */
export function nearest(t: number, times: readonly number[]): number {
  return times.reduce((m, x) => Math.min(m, Math.abs(x - t)), Infinity);
}
