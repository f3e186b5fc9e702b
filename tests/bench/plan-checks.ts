// What the bench parts hold a frame plan against: uniform 2 fps on the same recording, and the
// hidden event boundaries it must still cover.
import type { PlannedFrame } from '../../src-shared/scans.js';

/** Uniform 2 fps over the recording at one size, the last frame kept 0.1 s before the end as the scan does. */
export function uniformPlan(
  durationS: number,
  size: { width: number; height: number; tokens: number },
): PlannedFrame[] {
  const n = Math.ceil(durationS * 2);
  const { width, height, tokens } = size;
  return Array.from({ length: n }, (_, i) => ({ t: Math.min(i / 2, durationS - 0.1), width, height, tokens }));
}

/** Boundaries with a change point and a planned frame within 0.5 s of them. */
export function coveredBoundaries(
  bounds: readonly number[],
  plan: { changePoints: readonly number[]; frames: readonly { t: number }[] },
): number {
  return bounds.filter(
    (b) => plan.changePoints.some((c) => Math.abs(c - b) <= 0.5) && plan.frames.some((f) => Math.abs(f.t - b) <= 0.5),
  ).length;
}
