/**
 * J/K/L shuttle as a small state machine. HTML video cannot play backwards, so reverse
 * is emulated by the player: it pauses and jumps back `REVERSE_TICK_S × speed` every
 * `REVERSE_TICK_S` seconds (a quarter second of video per quarter second at 1×).
 */

export const SPEEDS: readonly number[] = [1, 2, 4, 8];

/** Interval of the reverse shuttle's jumps, in seconds. */
export const REVERSE_TICK_S = 0.25;

export interface Shuttle {
  direction: 'paused' | 'forward' | 'reverse';
  /** Playback speed multiplier; 1 when paused. */
  speed: number;
}

export const PAUSED: Shuttle = { direction: 'paused', speed: 1 };

function faster(speed: number): number {
  return SPEEDS.find((s) => s > speed) ?? SPEEDS[SPEEDS.length - 1] ?? 1;
}

/** The shuttle after J (reverse), K (pause) or L (forward): J or L again goes faster; the other way starts at 1×. */
export function shuttle(state: Shuttle, key: 'j' | 'k' | 'l'): Shuttle {
  if (key === 'k') return PAUSED;
  const direction = key === 'l' ? 'forward' : 'reverse';
  if (state.direction !== direction) return { direction, speed: 1 };
  return { direction, speed: faster(state.speed) };
}

/** Space: pause whatever runs, or play forward at 1×. */
export function togglePlay(state: Shuttle): Shuttle {
  return state.direction === 'paused' ? { direction: 'forward', speed: 1 } : PAUSED;
}

/** Where the reverse shuttle goes on its next tick; it stops at 0. */
export function reverseStep(currentS: number, speed: number): number {
  return Math.max(0, currentS - REVERSE_TICK_S * speed);
}
