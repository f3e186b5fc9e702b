/**
 * Keeping the lists that show a query's segments in step with what the engine says: the
 * results (every segment, ranked by the view), the review queue and the selection.
 *
 * The review queue's order has one definition, the engine's (review.queue: under the
 * threshold first, lowest confidence first; then the rest). The renderer keeps the order it
 * got: a verdict changes a segment in place (it never changes a confidence), and a model
 * segment the queue lacks is left to a fresh review.queue. Segments the operator added are
 * not the engine's to review, so they show in the results and on the timeline only.
 */
import type { Query, QueryRun, Segment } from '../../../src-shared/api.js';

export interface QueryResults {
  query: Query;
  segments: readonly Segment[];
  runs: readonly QueryRun[];
}

/** What shows a query's segments. */
export interface SegmentLists {
  results: QueryResults | null;
  queue: readonly Segment[];
  selectedId: number | null;
}

/**
 * Segments ranked across recordings, as query.results gives them (store/segments.ts byQuery):
 * most confident first, one the operator added counted as certain; then by recording and time.
 * A run's own `rank` counts within its recording only, so it does not order a query's results.
 */
export function rankedAcross(segments: readonly Segment[]): Segment[] {
  return [...segments].sort(
    (a, b) => (b.confidence ?? 1) - (a.confidence ?? 1) || a.recordingId - b.recordingId || a.startS - b.startS,
  );
}

/**
 * The list with `segment` in place of the one with its id; unchanged (same array) when absent.
 * The stage of a two-stage run stays: only query.results says it, and a verdict never changes it.
 */
export function replaceSegment(list: readonly Segment[], segment: Segment): readonly Segment[] {
  const index = list.findIndex((s) => s.id === segment.id);
  if (index < 0) return list;
  const next = [...list];
  const stage = segment.stage ?? list[index]?.stage;
  next[index] = stage === undefined ? segment : { ...segment, stage };
  return next;
}

/** The list without the segment `id`. */
export function removeSegment(list: readonly Segment[], id: number): readonly Segment[] {
  return list.some((s) => s.id === id) ? list.filter((s) => s.id !== id) : list;
}

/**
 * The lists with a segment the engine sent back: replaced where it shows, added to the
 * results when new. `queueStale` is true when it is a model segment the queue lacks: only
 * review.queue knows where it goes.
 */
export function withSegment(lists: SegmentLists, segment: Segment): { lists: SegmentLists; queueStale: boolean } {
  let results = lists.results;
  if (results) {
    const segments = replaceSegment(results.segments, segment);
    results = { ...results, segments: segments !== results.segments ? segments : [...results.segments, segment] };
  }
  const queue = replaceSegment(lists.queue, segment);
  const queueStale = queue === lists.queue && segment.source === 'model';
  return { lists: { ...lists, results, queue }, queueStale };
}

/** The lists without a segment that went (an added one taken back by Undo, here or in another window). */
export function withoutSegment(lists: SegmentLists, id: number): SegmentLists {
  const results = lists.results && { ...lists.results, segments: removeSegment(lists.results.segments, id) };
  return {
    results,
    queue: removeSegment(lists.queue, id),
    selectedId: lists.selectedId === id ? null : lists.selectedId,
  };
}

/** Where Start review goes: the first segment of the review queue, at its start; null when the queue is empty. */
export function reviewStart(
  queue: readonly Segment[],
): { segmentId: number; recordingId: number; seekS: number } | null {
  const first = queue[0];
  return first ? { segmentId: first.id, recordingId: first.recordingId, seekS: first.startS } : null;
}
