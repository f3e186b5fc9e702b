import type { Segment } from '../../src-shared/api.js';

/** A pending segment of query 1 on recording 1 at [id, id + 1] s; no confidence makes it the operator's. */
export function segment(
  id: number,
  confidence: number | null,
  rank: number | null,
  extra: Partial<Segment> = {},
): Segment {
  return {
    id,
    queryId: 1,
    recordingId: 1,
    runId: 1,
    startS: id,
    endS: id + 1,
    confidence,
    rank,
    source: confidence === null ? 'operator' : 'model',
    state: 'pending',
    reason: null,
    ...extra,
  };
}
