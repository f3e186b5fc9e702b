/**
 * Review helpers: which segments are under the threshold, moving through the queue, and the
 * boundaries that Set start / Set end / Add segment ask for. The queue's order is the
 * engine's (review.queue); segment-lists.ts keeps it as it came.
 */
import type { RejectReason, Segment } from '../../../src-shared/api.js';
import type { Span } from '../../../src-shared/span.js';

/** True for a model's segment under the review threshold (operator-added ones have no confidence). */
export function underThreshold(segment: Pick<Segment, 'confidence'>, threshold: number): boolean {
  return segment.confidence !== null && segment.confidence < threshold;
}

/** The id N (step 1) or P (step -1) moves to from `currentId`; from nothing, the first (or last). */
export function stepSelection(list: readonly Segment[], currentId: number | null, step: 1 | -1): number | null {
  if (list.length === 0) return null;
  const index = currentId === null ? -1 : list.findIndex((s) => s.id === currentId);
  if (index < 0) return (step === 1 ? list[0] : list[list.length - 1])?.id ?? null;
  const next = Math.min(Math.max(index + step, 0), list.length - 1);
  return list[next]?.id ?? null;
}

/** New bounds of a segment whose start or end moves to `t`, or an error for the operator. */
export function moveBoundary(segment: Span, which: 'start' | 'end', t: number): Span | { error: string } {
  const bounds = which === 'start' ? { startS: t, endS: segment.endS } : { startS: segment.startS, endS: t };
  if (bounds.endS <= bounds.startS) {
    return {
      error:
        which === 'start'
          ? 'The start must come before the end: move the playhead earlier.'
          : 'The end must come after the start: move the playhead later.',
    };
  }
  return bounds;
}

/** Half-width of the segment Add segment makes around the playhead when nothing is marked. */
export const ADD_HALF_WIDTH_S = 2;

/**
 * Bounds of a segment the operator adds: the marked start and end when both are set and
 * in order, else the playhead ± 2 s, within the recording.
 */
export function boundsToAdd(markIn: number | null, markOut: number | null, playheadS: number, durationS: number): Span {
  if (markIn !== null && markOut !== null && markOut > markIn) return { startS: markIn, endS: markOut };
  const clamp = (t: number): number => Math.min(Math.max(t, 0), durationS);
  return { startS: clamp(playheadS - ADD_HALF_WIDTH_S), endS: clamp(playheadS + ADD_HALF_WIDTH_S) };
}

export const REASONS: readonly { reason: RejectReason; label: string; key: string }[] = [
  { reason: 'not-present', label: 'Not present', key: '1' },
  { reason: 'wrong-time', label: 'Wrong time', key: '2' },
  { reason: 'partly', label: 'Partly', key: '3' },
];

/** A rejection reason as the operator reads it. */
export function reasonLabel(reason: RejectReason | null): string {
  return REASONS.find((r) => r.reason === reason)?.label ?? '';
}
