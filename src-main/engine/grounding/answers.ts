import type { Span } from '../../../src-shared/span.js';
import type { AnswerProfile, ParsedAnswer } from '../models/profiles/types.js';

/** Answers off by less than this from the window still count, clamped into it, seconds. */
const WINDOW_TOLERANCE_S = 1;

/** A span moved by `by` seconds (recording time to a model's clip time and back). */
export function shiftSpan<T extends Span>(span: T, by: number): T {
  return { ...span, startS: span.startS + by, endS: span.endS + by };
}

export interface ReadAnswer {
  parsed: ParsedAnswer;
  /** Why an answer was taken as a refusal (unparsed, outside the window), for the run's log. */
  note?: string;
}

/**
 * Parses one answer for one window. An answer that does not parse, or whose segment falls
 * outside the window, counts as a refusal and carries a note; it never fails the run.
 * `origin` is the recording time the model counts from (GroundingBackend.timeOrigin).
 */
export function readAnswer(profile: AnswerProfile, text: string, window: Span, origin = 0): ReadAnswer {
  const read = profile.parse(text);
  const parsed = read.kind === 'segment' ? { ...read, startS: read.startS + origin, endS: read.endS + origin } : read;
  const excerpt = JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
  if (parsed.kind === 'unparsed')
    return { parsed: { kind: 'refusal' }, note: `unparsed answer ${excerpt}: ${parsed.reason}` };
  if (parsed.kind === 'refusal') return { parsed };
  const lo = window.startS - WINDOW_TOLERANCE_S;
  const hi = window.endS + WINDOW_TOLERANCE_S;
  if (parsed.endS < lo || parsed.startS > hi || parsed.endS <= parsed.startS) {
    return {
      parsed: { kind: 'refusal' },
      note: `answer ${excerpt} is outside the window ${window.startS.toFixed(1)}-${window.endS.toFixed(1)} s or empty`,
    };
  }
  return {
    parsed: {
      kind: 'segment',
      startS: Math.max(window.startS, parsed.startS),
      endS: Math.min(window.endS, parsed.endS),
    },
  };
}
