/**
 * Review helpers: the queue order, keeping lists in step with segments the engine sends
 * back, and the boundaries that Set start / Set end / Add segment ask for.
 */
import type { RejectReason, Segment } from '../../../src-shared/api.js';

/** True for a model's segment under the review threshold (operator-added ones have no confidence). */
export function underThreshold(segment: Pick<Segment, 'confidence'>, threshold: number): boolean {
  return segment.confidence !== null && segment.confidence < threshold;
}

function byRank(a: Segment, b: Segment): number {
  const ra = a.rank ?? Infinity;
  const rb = b.rank ?? Infinity;
  if (ra !== rb) return ra - rb;
  return a.recordingId - b.recordingId || a.startS - b.startS || a.id - b.id;
}

/**
 * The review queue's order, as review.queue gives it: segments under the threshold first,
 * lowest confidence first; then the rest by rank. Used to place segments the renderer
 * learns about between two fetches of the queue.
 */
export function orderForReview(segments: readonly Segment[], threshold: number): Segment[] {
  return [...segments].sort((a, b) => {
    const ua = underThreshold(a, threshold);
    const ub = underThreshold(b, threshold);
    if (ua !== ub) return ua ? -1 : 1;
    if (ua && ub) return (a.confidence ?? 0) - (b.confidence ?? 0) || byRank(a, b);
    return byRank(a, b);
  });
}

/** The list with `segment` in place of the one with its id; unchanged (same array) when absent. */
export function replaceSegment(list: readonly Segment[], segment: Segment): readonly Segment[] {
  const index = list.findIndex((s) => s.id === segment.id);
  if (index < 0) return list;
  const next = [...list];
  next[index] = segment;
  return next;
}

/** The list with `segment` replaced, or added (in review order) when new. */
export function upsertSegment(list: readonly Segment[], segment: Segment, threshold: number): readonly Segment[] {
  const replaced = replaceSegment(list, segment);
  return replaced !== list ? replaced : orderForReview([...list, segment], threshold);
}

/** The list without the segment `id`. */
export function removeSegment(list: readonly Segment[], id: number): readonly Segment[] {
  return list.some((s) => s.id === id) ? list.filter((s) => s.id !== id) : list;
}

/** The id N (step 1) or P (step -1) moves to from `currentId`; from nothing, the first (or last). */
export function stepSelection(list: readonly Segment[], currentId: number | null, step: 1 | -1): number | null {
  if (list.length === 0) return null;
  const index = currentId === null ? -1 : list.findIndex((s) => s.id === currentId);
  if (index < 0) return (step === 1 ? list[0] : list[list.length - 1])?.id ?? null;
  const next = Math.min(Math.max(index + step, 0), list.length - 1);
  return list[next]?.id ?? null;
}

export type Bounds = { startS: number; endS: number };

/** New bounds of a segment whose start or end moves to `t`, or an error for the operator. */
export function moveBoundary(segment: Bounds, which: 'start' | 'end', t: number): Bounds | { error: string } {
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
export function boundsToAdd(
  markIn: number | null,
  markOut: number | null,
  playheadS: number,
  durationS: number,
): Bounds {
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
