/**
 * How long work has left and how long work will take, in the operator's words: one rule for
 * every job's ETA (the workstation's job rows and the CLI's progress line) and one way to say
 * a number of seconds.
 */

/** Under this share done, the rate is not known well enough to say when a job ends. */
export const ETA_MIN_FRACTION = 0.02;
/** Before this much time has run, likewise (a job's first moments are loading, not its pace). */
export const ETA_MIN_ELAPSED_MS = 3000;

/**
 * Seconds a job has left, from when it started, now and the share of it done, at the pace it
 * has kept so far; null when it is too early to say (under 2% done or under 3 s run), when it
 * is done, or when the inputs make no sense (a start after now, a fraction outside 0..1).
 */
export function eta(startedAtMs: number, nowMs: number, fraction: number): number | null {
  const elapsed = nowMs - startedAtMs;
  if (!Number.isFinite(elapsed) || !Number.isFinite(fraction)) return null;
  if (fraction < ETA_MIN_FRACTION || fraction >= 1 || elapsed < ETA_MIN_ELAPSED_MS) return null;
  return ((elapsed / fraction) * (1 - fraction)) / 1000;
}

/**
 * A duration as an operator reads it: "45 s", "4 min 20 s", "2 h 5 min"; rounded to 5 s
 * from a minute on, to the minute from an hour on. Under a second says "under a second".
 */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 1) return 'under a second';
  if (seconds < 59.5) return `${Math.round(seconds)} s`;
  const fives = Math.round(seconds / 5) * 5;
  if (fives < 3600) {
    const m = Math.floor(fives / 60);
    const s = fives % 60;
    return s === 0 ? `${m} min` : `${m} min ${s} s`;
  }
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** An ETA as a job row or progress line shows it: "about 3 min left"; empty when there is none yet. */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return '';
  return seconds < 1 ? 'almost done' : `about ${formatSeconds(seconds)} left`;
}

/** When a job started, in ms, from the job contract's ISO `startedAt`; null while it has none. */
export function jobStartMs(job: { startedAt: string | null }): number | null {
  const started = job.startedAt === null ? Number.NaN : Date.parse(job.startedAt);
  return Number.isNaN(started) ? null : started;
}

/** A job's ETA from its start time; null while it has none. */
export function jobEta(job: { startedAt: string | null; progress: number }, nowMs: number): number | null {
  const started = jobStartMs(job);
  return started === null ? null : eta(started, nowMs, job.progress);
}
