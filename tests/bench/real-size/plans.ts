// The SAA frame plans of the bench clips, made by `tempo scan` as an operator's would be, and
// uniform 2 fps at the plan's largest size on the same recordings.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import { makeVideo, recipeBoundaries, type VideoRecipe } from '../../fixtures/make-video.js';
import { timed } from '../timed.js';

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

const TEMPO = path.join(process.cwd(), 'bin', 'tempo.js');

function uniformPlan(durationS: number, size: PlannedFrame): PlannedFrame[] {
  const n = Math.ceil(durationS * 2);
  return Array.from({ length: n }, (_, i) => ({ ...size, t: Math.min(i / 2, durationS - 0.1) }));
}

/** Imports and scans each clip in a scratch home; the plans, and how many event boundaries each covers. */
export async function clipPlans(clips: { label: string; recipe: VideoRecipe }[]): Promise<ClipPlan[]> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-bench-plans-'));
  try {
    const plans: ClipPlan[] = [];
    for (const [i, { label, recipe }] of clips.entries()) {
      const file = await makeVideo(recipe);
      await timed(process.execPath, [TEMPO, '--home', home, '--json', 'import', file]);
      const scan = await timed(process.execPath, [TEMPO, '--home', home, '--json', 'scan', String(i + 1)]);
      const doc = JSON.parse(scan.stdout) as { frames: PlannedFrame[]; changePoints: number[] };
      const largest = doc.frames.reduce((a, f) => (f.tokens > a.tokens ? f : a), doc.frames[0] as PlannedFrame);
      const bounds = recipeBoundaries(recipe);
      const covered = bounds.filter(
        (b) => doc.changePoints.some((c) => Math.abs(c - b) <= 0.5) && doc.frames.some((f) => Math.abs(f.t - b) <= 0.5),
      ).length;
      const events = (recipe.events ?? []).flatMap((e) => (e.kind === 'cut' ? [] : [{ startS: e.from, endS: e.to }]));
      plans.push({
        label,
        durationS: recipe.durationS,
        events,
        saa: doc.frames,
        uniform: uniformPlan(recipe.durationS, largest),
        covered,
        boundaries: bounds.length,
      });
    }
    return plans;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** Every frame size the plans use, largest first. */
export function planSizes(plans: readonly ClipPlan[]): { width: number; height: number }[] {
  const seen = new Map<string, { width: number; height: number }>();
  for (const p of plans)
    for (const f of [...p.saa, ...p.uniform]) seen.set(`${f.width}x${f.height}`, { width: f.width, height: f.height });
  return [...seen.values()].sort((a, b) => b.width * b.height - a.width * a.height);
}
