/**
 * What one window of a grounding run answered, in a form that can be stored as it comes and
 * taken again later: a query over a library stores every window as the model answers it, so
 * a run taken up after a crash asks only the windows not answered yet.
 */
import type { ScoredSegment } from './merge.js';
import type { GroundingWindow } from './windows.js';

export interface WindowOutcome {
  index: number;
  startS: number;
  endS: number;
  frames: number;
  visualTokens: number;
  answers: string[];
  refused: boolean;
  /** The model server that answered the window, where a pool of servers shared the windows. */
  server?: string;
}

/** A segment the pipeline found, with the parts of its confidence. */
export type FoundSegment = ScoredSegment & { agreement: number; pAnswer: number };

/** One window's answer: what it saw and said, the segment it found (null: it refused), and its notes. */
export interface WindowAnswer {
  outcome: WindowOutcome;
  found: FoundSegment | null;
  notes: string[];
}

/**
 * The stored answer of window `w`, when there is one for the very same window: same index,
 * span and number of frames. A plan cut another way (another scan, context or model) makes
 * other windows under the same indices; their answers are not taken for these.
 */
export function answeredBefore(
  answered: ReadonlyMap<number, WindowAnswer> | undefined,
  w: GroundingWindow,
): WindowAnswer | undefined {
  const a = answered?.get(w.index);
  if (!a) return undefined;
  const o = a.outcome;
  const same = o.index === w.index && o.startS === w.startS && o.endS === w.endS && o.frames === w.frames.length;
  // A copy: the pipeline moves the boundaries of the segments it refines.
  return same ? { outcome: o, found: a.found && { ...a.found }, notes: [...a.notes] } : undefined;
}
