import type { ActivityTrack } from './change-scorer.js';

export interface ChangePointOptions {
  /** Activity (fraction of the frame changed) at which a stretch starts (default 0.004). */
  enter?: number;
  /** Activity under which a stretch ends (default 0.0015). */
  exit?: number;
  /** Quiet gaps up to this long inside a stretch are merged, seconds (default 0.3). */
  mergeGapS?: number;
  /** A stretch longer than this is sustained and its end is a change point too, seconds (default 1.5). */
  sustainedS?: number;
}

/** One active stretch of samples, inclusive. */
export interface ActiveStretch {
  first: number;
  last: number;
}

/**
 * Active stretches of a track by hysteresis: a stretch starts where activity reaches
 * `enter` and lasts while it stays at `exit` or above; stretches separated by a gap of
 * at most `mergeGapS` are merged.
 */
export function activeStretches(track: ActivityTrack, opts: ChangePointOptions = {}): ActiveStretch[] {
  const enter = opts.enter ?? 0.004;
  const exit = Math.min(enter, opts.exit ?? 0.0015);
  const maxGap = Math.round((opts.mergeGapS ?? 0.3) * track.fps);
  const out: ActiveStretch[] = [];
  let start = -1;
  for (let i = 0; i <= track.count; i++) {
    const a = i < track.count ? track.activity[i]! : 0;
    if (start < 0) {
      if (a >= enter) start = i;
    } else if (a < exit || i === track.count) {
      const s = { first: start, last: i - 1 };
      const prev = out.at(-1);
      if (prev && s.first - prev.last - 1 <= maxGap) prev.last = s.last;
      else out.push(s);
      start = a >= enter ? i : -1;
    }
  }
  return out;
}

/**
 * Times (seconds, sorted) where something starts or stops. Each active stretch gives its
 * onset, reported half a sample interval before its first active sample (the change
 * happened between that sample and the one before). A sustained stretch (longer than
 * `sustainedS`) also gives its end: half a sample interval before its last active sample,
 * less half of the track's `lingerS` (the slow channel may keep a stretch active up to
 * `lingerS` past the real end). A short blip, such as an object appearing or a hard cut,
 * gives its onset only.
 */
export function detectChangePoints(track: ActivityTrack, opts: ChangePointOptions = {}): number[] {
  const sustained = opts.sustainedS ?? 1.5;
  const half = 0.5 / track.fps;
  const points: number[] = [];
  for (const s of activeStretches(track, opts)) {
    points.push(Math.max(0, s.first / track.fps - half));
    if ((s.last - s.first + 1) / track.fps > sustained) {
      points.push(Math.max(s.first / track.fps, s.last / track.fps - half - track.lingerS / 2));
    }
  }
  return points.sort((a, b) => a - b);
}
