import { describe, expect, it } from 'vitest';
import { readActivityNet } from '../../../src-main/engine/learning/datasets/activitynet.js';
import { readCharades } from '../../../src-main/engine/learning/datasets/charades.js';
import { readDurationsCsv, withDurations } from '../../../src-main/engine/learning/datasets/durations.js';
import { readQVHighlights } from '../../../src-main/engine/learning/datasets/qvhighlights.js';
import { DatasetFormatError } from '../../../src-main/engine/learning/datasets/types.js';
import { fixture } from './fixtures.js';

describe('Charades-STA reader', () => {
  it('reads "VIDEOID start end##sentence" lines with ids per video and skips malformed ones by line', () => {
    const { items, skipped } = readCharades(fixture('charades-sta.txt'));
    expect(items.map((i) => i.id)).toEqual(['vidA#0', 'vidA#1', 'vidB#0', 'vidC#0', 'vidD#0', 'vidB#1']);
    expect(items[1]).toEqual({
      id: 'vidA#1',
      video: 'vidA',
      query: 'a person sits down.',
      durationS: null,
      moments: [{ startS: 20, endS: 30 }],
      line: 2,
    });
    expect(items[5]?.moments).toEqual([{ startS: 5, endS: 5 }]);
    expect(skipped).toEqual([
      { file: 'annotations', line: 4, reason: 'not "VIDEOID start end##sentence"' },
      { file: 'annotations', line: 5, reason: 'the moment ends before it starts (9 - 3)' },
    ]);
  });

  it('takes CRLF files, blank lines and decimal times', () => {
    const { items, skipped } = readCharades('3MSZA 24.3 30.4##person turn a light on.\r\n\r\n3MSZA .5 1e1##x\r\n');
    expect(skipped).toEqual([]);
    expect(items.map((i) => [i.id, i.moments[0], i.query])).toEqual([
      ['3MSZA#0', { startS: 24.3, endS: 30.4 }, 'person turn a light on.'],
      ['3MSZA#1', { startS: 0.5, endS: 10 }, 'x'],
    ]);
  });
});

describe('durations CSV', () => {
  it('reads id,duration with a header, reports bad lines, and fills items in', () => {
    const { durations, skipped } = readDurationsCsv(fixture('charades-durations.csv'));
    expect([...durations]).toEqual([
      ['vidA', 30],
      ['vidB', 20],
      ['vidC', 10],
    ]);
    expect(skipped).toEqual([{ file: 'durations', line: 5, reason: 'not "id,duration" with a positive duration' }]);
    const filled = withDurations(readCharades(fixture('charades-sta.txt')).items, durations);
    expect(filled.items.map((i) => i.durationS)).toEqual([30, 30, 20, 10, 20]);
    expect(filled.missing.map((i) => i.id)).toEqual(['vidD#0']);
  });

  it('finds the columns of a Charades_v1 CSV, quoted commas included', () => {
    const csv = 'id,subject,script,length\n46GP8,HR43,"A person, then another.",24.83\nN11GT,P0MY,"x ""y""",37.92\n';
    expect([...readDurationsCsv(csv).durations]).toEqual([
      ['46GP8', 24.83],
      ['N11GT', 37.92],
    ]);
    expect([...readDurationsCsv('a,12\nb,3.5').durations]).toEqual([
      ['a', 12],
      ['b', 3.5],
    ]);
  });
});

describe('ActivityNet Captions reader', () => {
  it('gives one item per sentence and skips bad entries by key', () => {
    const { items, skipped } = readActivityNet(fixture('activitynet.json'));
    expect(items.map((i) => [i.id, i.durationS, i.moments])).toEqual([
      ['v_a#0', 100, [{ startS: 0, endS: 50 }]],
      ['v_a#1', 100, [{ startS: 60, endS: 100 }]],
      ['v_b#0', 40, [{ startS: 10, endS: 20 }]],
      ['v_d#0', 20, [{ startS: 5, endS: 15 }]],
    ]);
    expect(items[0]?.query).toBe('A man climbs a wall.');
    expect(skipped).toEqual([
      { file: 'annotations', key: 'v_c', reason: '1 timestamps for 0 sentences' },
      { file: 'annotations', key: 'v_d#1', reason: 'a window ends before it starts (12 - 3)' },
    ]);
  });

  it('refuses a file that is not a JSON object', () => {
    expect(() => readActivityNet('{"v_a": ')).toThrow(DatasetFormatError);
    expect(() => readActivityNet('[1, 2]')).toThrow(/not an object of videos/);
  });
});

describe('QVHighlights reader', () => {
  it('reads JSONL with qid ids; no windows means no moment; a bad line is skipped by number', () => {
    const { items, skipped } = readQVHighlights(fixture('qvhighlights.jsonl'));
    expect(items.map((i) => [i.id, i.video, i.durationS, i.moments.length])).toEqual([
      ['1', 'abc_60.0_210.0', 150, 2],
      ['2', 'abc_60.0_210.0', 150, 1],
      ['3', 'def_0.0_150.0', 150, 1],
      ['4', 'def_0.0_150.0', 150, 1],
      ['5', 'def_0.0_150.0', 150, 0],
      ['6', 'def_0.0_150.0', 150, 0],
    ]);
    expect(skipped).toEqual([{ file: 'annotations', line: 7, reason: 'no "vid"' }]);
  });

  it('skips lines that are not JSON, bad windows and repeated qids', () => {
    const text = [
      '{"qid": 1, "query": "a", "vid": "v", "duration": 10, "relevant_windows": [[2, 4]]}',
      '{"qid": 1, "query": "b", "vid": "v", "duration": 10}',
      '{"qid": 2, "query": "c", "vid": "v", "duration": 10, "relevant_windows": [[2]]}',
      'nope',
    ].join('\n');
    expect(readQVHighlights(text).skipped).toEqual([
      { file: 'annotations', line: 2, reason: 'qid 1 again (first on line 1)' },
      { file: 'annotations', line: 3, reason: 'a window must be [start, end]' },
      { file: 'annotations', line: 4, reason: 'not JSON' },
    ]);
  });
});
