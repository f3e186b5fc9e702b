/** Which stage of a two-stage run each segment of query.results came from, read from the run's settings. */
import { describe, expect, it } from 'vitest';
import { withStages } from '../../../src-main/engine/api/query-results.js';
import { segment } from '../../support/segments.js';

const stages = {
  candidate: { model: 'small', device: 'cpu', windows: 4, visualTokens: 512, ms: 10, segments: 2 },
  refine: { model: 'big', device: 'cpu', windows: 1, visualTokens: 256, ms: 20, segments: 1 },
  audit: {
    model: 'big',
    device: 'cpu',
    windows: 1,
    visualTokens: 256,
    ms: 20,
    segments: 1,
    audited: [3],
    found: 1,
    missedShare: 1,
  },
};

describe('withStages', () => {
  it("names each segment's stage by its rank in its two-stage run, and leaves the others alone", () => {
    const runs = [
      { id: 1, settings: { stages, segmentStages: ['candidate', 'refined', 'audit'] } },
      { id: 2, settings: { modelDir: '/models/big' } },
    ];
    const out = withStages(
      [
        segment(1, 0.9, 1),
        segment(2, 0.5, 3),
        segment(3, 0.4, 2),
        segment(4, 0.3, 1, { runId: 2 }),
        segment(5, null, null, { runId: null }),
        segment(6, 0.2, 9),
      ],
      runs,
    );
    expect(out.map((s) => s.stage)).toEqual(['candidate', 'audit', 'refined', undefined, undefined, undefined]);
    expect(out[3]).not.toHaveProperty('stage');
  });

  it('ignores a stage it does not know', () => {
    const runs = [{ id: 1, settings: { stages, segmentStages: ['guessed'] } }];
    expect(withStages([segment(1, 0.9, 1)], runs)[0]).not.toHaveProperty('stage');
  });
});
