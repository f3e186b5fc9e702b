/**
 * One progress over every recording of a query job, so the job's ETA (src-shared/eta.ts, from
 * when it started and the share done) is the whole query's. Each recording counts by its
 * weight: its planned visual tokens (its scan's, or for one not scanned yet the guess
 * `query.estimate` makes, api/planned-tokens.ts), because model time grows with the visual
 * tokens read (store/costs.ts: time per planned token). The weights are fixed in the job's
 * payload when it is queued, so the job and `query.results` (each recording's share) agree.
 */

/** Where recording `index` starts and how much it counts, as shares of the whole (both in [0,1]). */
function share(weights: readonly number[], index: number): { before: number; part: number } {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (!(total > 0) || index < 0 || index >= weights.length) return { before: 0, part: 0 };
  const before = weights.slice(0, index).reduce((sum, w) => sum + w, 0);
  return { before: before / total, part: (weights[index] as number) / total };
}

const clamp = (f: number): number => (Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0);

/** The query's progress when the recordings before `index` are done and `index` is `fraction` done. */
export function queryProgress(weights: readonly number[], index: number, fraction: number): number {
  const { before, part } = share(weights, index);
  return clamp(before + part * clamp(fraction));
}

/**
 * How far recording `index` is, from the query's progress: the inverse of `queryProgress`
 * for the recording in progress (0 before it started, 1 once the query is past it).
 */
export function recordingProgress(weights: readonly number[], index: number, progress: number): number {
  const { before, part } = share(weights, index);
  return part > 0 ? clamp((progress - before) / part) : 0;
}
