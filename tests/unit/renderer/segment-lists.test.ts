import { describe, expect, it } from 'vitest';
import { segment } from '../../support/segments.js';
import {
  rankedAcross,
  removeSegment,
  replaceSegment,
  reviewStart,
  withoutSegment,
  withSegment,
  type SegmentLists,
} from '../../../src-renderer/src/lib/segment-lists.js';

/** Results in rank order, the queue in the order review.queue gave it (lowest confidence first). */
function lists(): SegmentLists {
  const a = segment(1, 0.9, 1, { recordingId: 1 });
  const b = segment(2, 0.2, 2, { recordingId: 2, startS: 12 });
  const c = segment(3, 0.4, 3, { recordingId: 3 });
  return {
    results: { query: { id: 1, text: 'a box', createdAt: '2025-01-01' }, segments: [a, b, c], runs: [] },
    queue: [b, c, a],
    selectedId: null,
  };
}

describe('keeping lists in step', () => {
  const list = [segment(1, 0.2, 2), segment(2, 0.8, 1)];

  it('replaces a segment in place and keeps the array when it is absent', () => {
    const accepted = segment(1, 0.2, 2, { state: 'accepted' });
    const next = replaceSegment(list, accepted);
    expect(next.map((s) => s.state)).toEqual(['accepted', 'pending']);
    expect(list[0]?.state).toBe('pending');
    expect(replaceSegment(list, segment(9, 0.1, 9))).toBe(list);
  });

  it("keeps a segment's two-stage stage through a verdict, which the engine sends without it", () => {
    const staged = [segment(1, 0.2, 1, { stage: 'audit' }), segment(2, 0.8, 2)];
    const next = replaceSegment(staged, segment(1, 0.2, 1, { state: 'accepted' }));
    expect(next[0]).toMatchObject({ state: 'accepted', stage: 'audit' });
    expect(replaceSegment(staged, segment(2, 0.8, 2, { state: 'rejected' }))[1]).not.toHaveProperty('stage');
  });

  it('removes a segment that undo took away', () => {
    expect(removeSegment(list, 1).map((s) => s.id)).toEqual([2]);
    expect(removeSegment(list, 7)).toBe(list);
  });
});

describe('rankedAcross (the results list)', () => {
  it("ranks across recordings by confidence, not by each run's own rank; an added segment counts as certain", () => {
    const ranked = rankedAcross([
      segment(1, 0.5, 1, { recordingId: 1 }),
      segment(2, 0.9, 1, { recordingId: 2 }),
      segment(3, 0.7, 2, { recordingId: 1 }),
      segment(4, null, null, { recordingId: 3 }),
      segment(5, 0.7, 1, { recordingId: 3, startS: 1 }),
      segment(6, 0.7, 3, { recordingId: 1, startS: 0.5 }),
    ]);
    expect(ranked.map((s) => s.id)).toEqual([4, 2, 6, 3, 5, 1]);
  });
});

describe('withSegment: the queue keeps the order the engine gave', () => {
  it('puts a verdict in place in the results and the queue, never reordering the queue', () => {
    const before = lists();
    const { lists: after, queueStale } = withSegment(before, segment(1, 0.9, 1, { state: 'accepted' }));
    expect(after.queue.map((s) => [s.id, s.state])).toEqual([
      [2, 'pending'],
      [3, 'pending'],
      [1, 'accepted'],
    ]);
    expect(after.results?.segments.map((s) => s.state)).toEqual(['accepted', 'pending', 'pending']);
    expect(queueStale).toBe(false);
  });

  it('shows a segment the operator added in the results only (review.queue has model segments only)', () => {
    const before = lists();
    const added = segment(7, null, null, { source: 'operator', state: 'accepted' });
    const { lists: after, queueStale } = withSegment(before, added);
    expect(after.results?.segments.map((s) => s.id)).toEqual([1, 2, 3, 7]);
    expect(after.queue).toBe(before.queue);
    expect(queueStale).toBe(false);
  });

  it('leaves a model segment the queue lacks to review.queue, which alone knows where it goes', () => {
    const before = lists();
    const { lists: after, queueStale } = withSegment(before, segment(8, 0.1, 4));
    expect(after.queue).toBe(before.queue);
    expect(after.results?.segments.map((s) => s.id)).toEqual([1, 2, 3, 8]);
    expect(queueStale).toBe(true);
  });
});

describe('withoutSegment (segment-removed: an added segment undone here or in another window)', () => {
  it('takes it out of the results, the queue and the selection', () => {
    const added = segment(7, null, null, { source: 'operator', state: 'accepted' });
    const before = { ...withSegment(lists(), added).lists, selectedId: 7 };
    const after = withoutSegment(before, 7);
    expect(after.results?.segments.map((s) => s.id)).toEqual([1, 2, 3]);
    expect(after.queue.map((s) => s.id)).toEqual([2, 3, 1]);
    expect(after.selectedId).toBeNull();
  });

  it('keeps the selection and the queue when another segment goes', () => {
    const before = { ...lists(), selectedId: 2 };
    const after = withoutSegment(before, 1);
    expect(after.selectedId).toBe(2);
    expect(after.queue.map((s) => s.id)).toEqual([2, 3]);
    expect(withoutSegment(before, 42).queue).toBe(before.queue);
    expect(withoutSegment({ results: null, queue: [], selectedId: null }, 1).results).toBeNull();
  });
});

describe('reviewStart (Start review)', () => {
  it("opens the queue's first segment, on its recording, at its start (not the results' best rank)", () => {
    expect(reviewStart(lists().queue)).toEqual({ segmentId: 2, recordingId: 2, seekS: 12 });
  });

  it('has nothing to open when the queue is empty', () => {
    expect(reviewStart([])).toBeNull();
  });
});
