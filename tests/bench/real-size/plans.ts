// The SAA frame plans of the bench clips, made by `tempo scan` as an operator's would be, and
// uniform 2 fps at the plan's largest size on the same recordings.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import { makeVideo, recipeBoundaries, type VideoRecipe } from '../../fixtures/make-video.js';
import type { Size } from '../../../src-main/engine/saa/tokens.js';
import { coveredBoundaries, uniformPlan } from '../plan-checks.js';
import type { PictureSize } from './picture-sizes.js';
import { tempo } from '../timed.js';

export interface ClipPlan {
  label: string;
  durationS: number;
  events: { startS: number; endS: number }[];
  saa: PlannedFrame[];
  uniform: PlannedFrame[];
  /** Hidden event boundaries with a change point and a planned frame within 0.5 s. */
  covered: number;
  boundaries: number;
}

/** Imports and scans each clip in a scratch home; the plans, and how many event boundaries each covers. */
export async function clipPlans(clips: { label: string; recipe: VideoRecipe }[]): Promise<ClipPlan[]> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-bench-plans-'));
  try {
    const plans: ClipPlan[] = [];
    for (const [i, { label, recipe }] of clips.entries()) {
      const file = await makeVideo(recipe);
      await tempo(home, 'import', file);
      const scan = await tempo(home, 'scan', String(i + 1));
      const doc = JSON.parse(scan.stdout) as { frames: PlannedFrame[]; changePoints: number[] };
      const largest = doc.frames.reduce((a, f) => (f.tokens > a.tokens ? f : a), doc.frames[0] as PlannedFrame);
      const bounds = recipeBoundaries(recipe);
      const events = (recipe.events ?? []).flatMap((e) => (e.kind === 'cut' ? [] : [{ startS: e.from, endS: e.to }]));
      plans.push({
        label,
        durationS: recipe.durationS,
        events,
        saa: doc.frames,
        uniform: uniformPlan(recipe.durationS, largest),
        covered: coveredBoundaries(bounds, doc),
        boundaries: bounds.length,
      });
    }
    return plans;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** Every frame size the plans use, and what each would be as a picture where that differs; largest first. */
export function planSizes(plans: readonly ClipPlan[], pictures: PictureSize | null = null): Size[] {
  const seen = new Map<string, Size>();
  const add = (s: Size) => seen.set(`${s.width}x${s.height}`, { width: s.width, height: s.height });
  for (const p of plans)
    for (const f of [...p.saa, ...p.uniform]) {
      add(f);
      if (pictures) add(pictures(f.width, f.height));
    }
  return [...seen.values()].sort((a, b) => b.width * b.height - a.width * a.height);
}
