/** Whole-set scores of the small files in tests/fixtures/learning; every expected number is worked out by hand. */
import { describe, expect, it } from 'vitest';
import {
  readActivityNet,
  readCharades,
  readDurationsCsv,
  readQVHighlights,
  withDurations,
  type EvalItem,
} from '../../../src-main/engine/learning/datasets/index.js';
import { scoreItems } from '../../../src-main/engine/learning/evaluate.js';
import { readPredictions } from '../../../src-main/engine/learning/predictions.js';
import { fixture } from './fixtures.js';

const timed = (items: EvalItem[]) => items as (EvalItem & { durationS: number })[];

describe('scoring Charades-STA', () => {
  it('clips to the duration and scores zero-length, refused and missing items as IoU 0', () => {
    const read = readCharades(fixture('charades-sta.txt'));
    const { items } = withDurations(read.items, readDurationsCsv(fixture('charades-durations.csv')).durations);
    const { predictions } = readPredictions(fixture('charades-predictions.jsonl'));
    const report = scoreItems('charades', timed(items), predictions);
    // vidA#0 [0,5] vs [0,10]: 0.5. vidA#1 [24,45] clipped to [24,30] vs [20,30]: 0.6 (unclipped
    // 6/25). vidB#0: 1. vidC#0 refused: 0. vidB#1 [5,5] vs [5,5]: empty union, 0.
    // ECE over the four top-1 answers: (|1-.8| + |1-.6| + |1-.95| + |0-.5|) / 4 = 0.2875.
    expect(report).toEqual({
      format: 'charades',
      n: 5,
      'R1@0.3': 60,
      'R1@0.5': 60,
      'R1@0.7': 20,
      mIoU: 42,
      refusal: { precision: 0, recall: null, n: 0 },
      ECE: 28.75,
      missing: 0,
      unmatched: 0,
      skipped: [],
    });
  });

  it('scores an item without a prediction line as IoU 0 and counts it missing', () => {
    const items = timed([{ id: 'v#0', video: 'v', query: 'q', durationS: 10, moments: [{ startS: 0, endS: 4 }] }]);
    const report = scoreItems('charades', items, readPredictions('').predictions);
    expect(report).toMatchObject({ n: 1, 'R1@0.3': 0, mIoU: 0, ECE: null, missing: 1 });
  });
});

describe('scoring ActivityNet Captions', () => {
  it('takes the first listed segment as top-1, and a segment past the end as IoU 0', () => {
    const { items } = readActivityNet(fixture('activitynet.json'));
    const { predictions } = readPredictions(fixture('activitynet-predictions.jsonl'));
    const report = scoreItems('activitynet', timed(items), predictions);
    // v_a#0 [0,40] vs [0,50]: 0.8. v_a#1 [110,130] clipped to [100,100]: 0. v_b#0 empty list: 0.
    // v_d#0 first listed [5,10] vs [5,15]: 0.5 (the higher-scored [5,15] is second).
    // ECE: (|1-.7| + |0-.9| + |1-.2|) / 3 = 2/3.
    expect(report).toMatchObject({
      n: 4,
      'R1@0.3': 50,
      'R1@0.5': 50,
      'R1@0.7': 25,
      mIoU: 32.5,
      refusal: { precision: null, recall: null, n: 0 },
      ECE: 66.67,
      missing: 0,
    });
    expect(report.mAP).toBeUndefined();
  });
});

describe('scoring QVHighlights', () => {
  it('gives mAP as the official eval, R1 against the best window, refusal and ECE', () => {
    const read = readQVHighlights(fixture('qvhighlights.jsonl'));
    const { predictions, skipped } = readPredictions(fixture('qvhighlights-submission.jsonl'));
    const report = scoreItems('qvhighlights', timed(read.items), predictions, [...read.skipped, ...skipped]);
    // Top-1 IoU of the four queries with a moment: 1, 0, 0, 0 (q4 refused).
    // AP per query (checked against standalone_eval's compute_average_precision_detection):
    // q1: 1 at 0.5..0.9, 0.5 at 0.95; q2: 0.5; q3 (tie, the miss listed first): 0.5; q4: 0.
    // mAP@0.5 = mAP@0.75 = 2/4; mAP = (9 x 0.5 + 0.375) / 10 = 0.4875.
    // Refusals: q4 (has a moment: FP), q5 (TP); q6 answered without a moment (FN).
    // ECE: bin 9 {q1 right, q2 wrong}: 2/4 x |.5-.9|; bin 5 {q3}: 1/4 x .5; bin 3 {q6}: 1/4 x .3 = 0.4.
    expect(report).toEqual({
      format: 'qvhighlights',
      n: 6,
      'R1@0.3': 25,
      'R1@0.5': 25,
      'R1@0.7': 25,
      mIoU: 25,
      'mAP@0.5': 50,
      'mAP@0.75': 50,
      mAP: 48.75,
      refusal: { precision: 50, recall: 50, n: 2 },
      ECE: 40,
      missing: 0,
      unmatched: 0,
      skipped: [
        { file: 'annotations', line: 7, reason: 'no "vid"' },
        { file: 'predictions', line: 7, reason: 'window 1 ends before it starts (5 - 1)' },
      ],
    });
  });

  it('uses only the first 10 windows of a query for mAP', () => {
    const items = timed([{ id: '1', video: 'v', query: 'q', durationS: 100, moments: [{ startS: 50, endS: 60 }] }]);
    const misses = Array.from({ length: 10 }, (_, i) => [i, i + 1, 0.1]);
    const line = JSON.stringify({ qid: 1, pred_relevant_windows: [...misses, [50, 60, 0.9]] });
    expect(scoreItems('qvhighlights', items, readPredictions(line).predictions).mAP).toBe(0);
  });
});
