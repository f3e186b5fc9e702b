import type { Span } from '../../../../src-shared/span.js';

/** What a model's answer says, once parsed. */
export type ParsedAnswer =
  { kind: 'segment'; startS: number; endS: number } | { kind: 'refusal' } | { kind: 'unparsed'; reason: string };

/**
 * How one family of checkpoints is asked and how its answers are read: a prompt template and
 * a parser, each with a refusal form. Adding a profile is one file and one registry line.
 */
export interface AnswerProfile {
  /** Registry name, used in model manifests. */
  readonly name: string;
  /** The instruction that follows the frames in the user turn. */
  instruction(query: string, window: Span): string;
  /** The exact text a model of this family should give to refuse (used to score refusal). */
  refusalText: string;
  /** The answer this family gives for a segment, in its own format (scored against refusal). */
  answerText(span: Span): string;
  /** Reads an answer. Times are seconds from the start of the recording, as the frames' labels. */
  parse(text: string): ParsedAnswer;
  /** Tokens an answer may take: room for the longest well-formed one (and any reasoning the form asks for). */
  readonly maxNewTokens: number;
}

/** A parsed time range; the two ends in either order. */
export function rangeAnswer(a: number, b: number): ParsedAnswer {
  return { kind: 'segment', startS: Math.min(a, b), endS: Math.max(a, b) };
}

/** Seconds as they are written beside frames and in answers. */
export function formatSeconds(s: number): string {
  return s.toFixed(1);
}
