/**
 * The visual tokens a query will read on each recording, before it runs: what `query.estimate`
 * multiplies by measured costs, and what a query job weighs its recordings by (its progress).
 */
import type { Recording } from '../../../src-shared/recordings.js';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import type { Engine } from '../engine.js';
import { scanBudget } from '../jobs/scan-job.js';

/** A recording's frame plan: its scan's, as the ground job will take it; null when it has none. */
function plannedFrames(engine: Engine, rec: Recording): PlannedFrame[] | null {
  const scan = engine.scans.latest(rec.id, scanBudget(engine.scans, rec.id)) ?? engine.scans.latest(rec.id);
  return scan ? scan.frames : null;
}

export interface Planned {
  rec: Recording;
  tokens: number;
  scanned: boolean;
  /** The scan's frame plan (null: not scanned yet, `tokens` a guess). */
  frames: PlannedFrame[] | null;
}

/**
 * Every recording's planned tokens; one not scanned yet gets its length at the average tokens
 * per minute of the scanned ones, within its scan budget (the budget itself when none is scanned).
 */
export function planAll(engine: Engine, recs: readonly Recording[], notes: string[]): Planned[] {
  const known = recs.map((rec) => {
    const frames = plannedFrames(engine, rec);
    return { rec, frames, tokens: frames ? frames.reduce((sum, f) => sum + f.tokens, 0) : null };
  });
  const scanned = known.filter((k) => k.tokens !== null);
  const minutes = scanned.reduce((sum, k) => sum + k.rec.durationS / 60, 0);
  const perMin = minutes > 0 ? scanned.reduce((sum, k) => sum + (k.tokens as number), 0) / minutes : null;
  const unscanned = recs.length - scanned.length;
  if (unscanned > 0)
    notes.push(
      perMin === null
        ? `${unscanned} not scanned yet: counted at their full scan budget of visual tokens`
        : `${unscanned} not scanned yet: counted at ${Math.round(perMin)} visual tokens per minute, as the scanned ones`,
    );
  return known.map(({ rec, frames, tokens }) => {
    if (tokens !== null) return { rec, tokens, scanned: true, frames };
    const budget = scanBudget(engine.scans, rec.id);
    const guess = perMin === null ? budget : Math.min(budget, Math.round((perMin * rec.durationS) / 60));
    return { rec, tokens: guess, scanned: false, frames: null };
  });
}
