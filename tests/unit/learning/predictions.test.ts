import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendPrediction, resumePredictions } from '../../../src-main/engine/learning/prediction-file.js';
import { readPredictions } from '../../../src-main/engine/learning/predictions.js';
import { fixture } from './fixtures.js';

describe('predictions reader', () => {
  it("reads tempo eval's JSONL: first line per id wins; malformed lines are skipped by number", () => {
    const { predictions, skipped } = readPredictions(fixture('charades-predictions.jsonl'));
    expect([...predictions.keys()]).toEqual(['vidA#0', 'vidA#1', 'vidB#0', 'vidC#0', 'vidB#1']);
    expect(predictions.get('vidA#1')).toEqual({
      id: 'vidA#1',
      refused: false,
      segments: [
        { startS: 24, endS: 45, score: 0.6 },
        { startS: 20, endS: 30, score: 0.1 },
      ],
      line: 2,
    });
    expect(predictions.get('vidC#0')).toMatchObject({ refused: true, segments: [] });
    expect(skipped).toEqual([
      { file: 'predictions', line: 6, reason: 'a second prediction for vidC#0 (first on line 4)' },
      { file: 'predictions', line: 7, reason: 'not JSON' },
    ]);
  });

  it('reads QVHighlights submission lines; an empty window list is a refusal', () => {
    const { predictions, skipped } = readPredictions(fixture('qvhighlights-submission.jsonl'));
    expect(predictions.get('1')?.segments[1]).toEqual({ startS: 21, endS: 30, score: 0.8 });
    expect(predictions.get('4')).toMatchObject({ refused: true, segments: [] });
    expect(skipped).toEqual([{ file: 'predictions', line: 7, reason: 'window 1 ends before it starts (5 - 1)' }]);
  });

  it('names what is wrong with a line', () => {
    const lines = [
      '[1]',
      '{"video": "v", "refused": false, "segments": []}',
      '{"id": "a", "refused": "no", "segments": []}',
      '{"id": "a", "refused": true, "segments": [{"startS": 1, "endS": 2, "confidence": 0.5}]}',
      '{"id": "a", "refused": false, "segments": [{"startS": 1, "endS": 2}]}',
      '{"qid": 3, "pred_relevant_windows": [[1, 2]]}',
      '{"pred_relevant_windows": []}',
    ];
    expect(readPredictions(lines.join('\n')).skipped.map((s) => [s.line, s.reason])).toEqual([
      [1, 'not a JSON object'],
      [2, 'no "id" (nor "qid" with "pred_relevant_windows")'],
      [3, '"refused" must be true or false'],
      [4, 'refused, yet with segments'],
      [5, 'segment 1 is not {startS, endS, confidence}'],
      [6, 'window 1 is not [start, end, score]'],
      [7, 'no "qid"'],
    ]);
  });
});

describe('predictions file', () => {
  it('continues after the last whole line: a half-written line is cut', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-preds-')), 'sub', 'p.jsonl');
    expect(resumePredictions(file).size).toBe(0);
    appendPrediction(file, { id: 'a#0', video: 'a', query: 'q', refused: true, segments: [] });
    fs.appendFileSync(file, '{"id":"a#1","video":"a","que');
    expect([...resumePredictions(file)]).toEqual(['a#0']);
    appendPrediction(file, { id: 'a#1', video: 'a', query: 'q', refused: false, segments: [] });
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['a#0', 'a#1']);
  });
});
