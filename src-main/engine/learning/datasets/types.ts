import type { Span } from '../../../../src-shared/span.js';

/** The grounding benchmarks `tempo eval` reads. */
export const EVAL_FORMATS = ['charades', 'activitynet', 'qvhighlights'] as const;
export type EvalFormat = (typeof EVAL_FORMATS)[number];

export function isEvalFormat(s: string): s is EvalFormat {
  return (EVAL_FORMATS as readonly string[]).includes(s);
}

/** One query of a benchmark: a sentence about one video and where it happens. */
export interface EvalItem {
  /** Stable across reads of the same file: what prediction lines are matched by. */
  id: string;
  /** The set's video id (a file name in the videos folder, without extension). */
  video: string;
  query: string;
  /** The video's length in seconds; null where the set does not say (Charades-STA). */
  durationS: number | null;
  /** Ground-truth moments, seconds; empty when the query does not happen in the video. */
  moments: Span[];
  /** Where the item is in a line-based annotation file (1-based). */
  line?: number;
}

/** A line or entry left out of the scoring, and why. */
export interface Skipped {
  file: 'annotations' | 'predictions' | 'durations';
  /** 1-based line number, for line-based files. */
  line?: number;
  /** The entry's key, for JSON files (ActivityNet: `v_x` or `v_x#2`). */
  key?: string;
  reason: string;
}

export interface ReadResult {
  items: EvalItem[];
  skipped: Skipped[];
}

/** A file that cannot be read at all (not JSON where JSON is needed). */
export class DatasetFormatError extends Error {
  override name = 'DatasetFormatError';
}

/** Non-blank lines with their 1-based numbers; a trailing \r (CRLF files) is dropped. */
export function numberedLines(text: string): { line: number; text: string }[] {
  return text
    .split('\n')
    .map((t, i) => ({ line: i + 1, text: t.replace(/\r$/, '') }))
    .filter((l) => l.text.trim().length > 0);
}

/** A finite number, else null (also for strings: sets store times as numbers). */
export function finite(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Checks a [start, end] pair: two finite numbers, start >= 0, end >= start. Returns why not, or the span. */
export function readWindow(v: unknown): Span | string {
  if (!Array.isArray(v) || v.length < 2) return 'a window must be [start, end]';
  const s = finite(v[0]);
  const e = finite(v[1]);
  if (s === null || e === null) return 'a window must hold two numbers';
  if (s < 0) return `a window starts before 0 (${s})`;
  if (e < s) return `a window ends before it starts (${s} - ${e})`;
  return { startS: s, endS: e };
}
