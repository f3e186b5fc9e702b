import { describe, expect, it } from 'vitest';
import { getProfile, PROFILES } from '../../../src-main/engine/models/profiles/index.js';

const qwen = getProfile('qwen2-vl')!;
const r1 = getProfile('time-r1')!;
const lens = getProfile('timelens')!;
const q3 = getProfile('qwen3-vl')!;

describe('answer profiles', () => {
  it('are registered by their own name and read their own refusal text as a refusal', () => {
    expect(Object.keys(PROFILES).sort()).toEqual(['qwen2-vl', 'qwen3-vl', 'time-r1', 'timelens']);
    for (const [name, p] of Object.entries(PROFILES)) {
      expect(p.name).toBe(name);
      expect(p.parse(p.refusalText)).toEqual({ kind: 'refusal' });
      expect(p.parse(p.answerText({ startS: 12.5, endS: 17.25 }))).toEqual({
        kind: 'segment',
        startS: 12.5,
        endS: p.name === 'time-r1' ? 17.25 : 17.3,
      });
      const text = p.instruction('a worker drops a box', { startS: 10, endS: 70 });
      expect(text).toMatch(/["']a worker drops a box["']/);
    }
  });
});

describe('qwen2-vl profile', () => {
  it.each([
    ['The event happens in 12.5 - 17.0 seconds.', 12.5, 17],
    ['The event happens in 3 to 8 seconds', 3, 8],
    ['From 40.2s - 45.9s.', 40.2, 45.9],
    ['happens in 17.0 - 12.5 seconds', 12.5, 17],
    ['first 1 - 2, no wait: 30.5 - 31.5 seconds', 30.5, 31.5],
  ])('reads a time range from %j', (text, a, b) => {
    expect(qwen.parse(text)).toEqual({ kind: 'segment', startS: a, endS: b });
  });

  it.each([
    'The event does not happen in this video.',
    "It doesn't occur.",
    'The box is not present in the video.',
    'None',
  ])('reads %j as a refusal', (text) => expect(qwen.parse(text)).toEqual({ kind: 'refusal' }));

  it.each(['', 'a box', 'at 12 seconds', '<|im_end|>'])('reports %j as unparsed', (text) => {
    expect(qwen.parse(text).kind).toBe('unparsed');
  });
});

describe('time-r1 profile', () => {
  it.each([
    ['<think>the box falls</think><answer>12.54 to 17.83</answer>', 12.54, 17.83],
    ['<answer>3 and 9</answer>', 3, 9],
    ['<answer>1.0 to 2.0</answer> later <answer>5.5 to 6.5</answer>', 5.5, 6.5],
    ['<answer>from 2.00 to 4.00, maybe 3.00 to 5.00</answer>', 3, 5],
  ])('reads %j', (text, a, b) => {
    expect(r1.parse(text)).toEqual({ kind: 'segment', startS: a, endS: b });
  });

  it.each(['<answer>none</answer>', '<answer> None. </answer>', '<answer>not present</answer>'])(
    'reads %j as a refusal',
    (text) => expect(r1.parse(text)).toEqual({ kind: 'refusal' }),
  );

  it.each([
    ['12.54 to 17.83', 'no <answer> tags'],
    ['<answer>12.54 - 17.83</answer>', 'no "start to end" inside <answer>'],
    ['<answer>soon</answer>', 'no "start to end" inside <answer>'],
    ['<answer>12.54 to 17.83', 'no <answer> tags'],
  ])('reports %j as unparsed', (text, reason) => {
    expect(r1.parse(text)).toEqual({ kind: 'unparsed', reason });
  });
});

describe('timelens profile', () => {
  it("asks TimeLens's own question", () => {
    expect(lens.instruction('a man opens the door', { startS: 0, endS: 60 })).toContain(
      "Please find the visual event described by the sentence 'a man opens the door', determining its starting " +
        "and ending times. The format should be: 'The event happens in <start time> - <end time> seconds'.",
    );
  });

  it.each([
    ['The event happens in 12.5 - 17.8 seconds.', 12.5, 17.8],
    ['The event happens in 3.0 - 8.4 seconds', 3, 8.4],
    ['The event happens in 24 - 31 seconds.', 24, 31],
    ['The event happens in 31.2 - 24.0 seconds.', 24, 31.2],
    ['The event happens in 5.0s - 9.5s.', 5, 9.5],
  ])('reads %j', (text, a, b) => expect(lens.parse(text)).toEqual({ kind: 'segment', startS: a, endS: b }));

  it.each(['The event does not happen in the video.', "The event doesn't happen in this clip."])(
    'reads %j as a refusal',
    (text) => expect(lens.parse(text)).toEqual({ kind: 'refusal' }),
  );

  it.each(['The event happens in the kitchen.', 'The event happens in 12.5 seconds.', ''])(
    'reports %j as unparsed',
    (text) => expect(lens.parse(text).kind).toBe('unparsed'),
  );
});

describe('qwen3-vl profile', () => {
  it.each([
    ['<12.5 seconds> - <17.0 seconds>', 12.5, 17],
    ['The event happens from <3.0 seconds> to <8.5 seconds>.', 3, 8.5],
    ['From 40.2 seconds to 45.9 seconds, the worker lifts the box.', 40.2, 45.9],
    ['12.5 - 17.0 seconds', 12.5, 17],
    ['[{"start_time": "00:21.00", "end_time": "00:49.00", "description": "a box falls"}]', 21, 49],
    ['{"start": 1:02.5, "end": 1:10}', 62.5, 70],
    ['It starts at 0:01:05.5 and ends at 0:01:09.0.', 65.5, 69],
  ])('reads %j', (text, a, b) => expect(q3.parse(text)).toEqual({ kind: 'segment', startS: a, endS: b }));

  it.each(['The event does not happen in the video.', '[]', 'None.', 'This does not occur in the video.'])(
    'reads %j as a refusal',
    (text) => expect(q3.parse(text)).toEqual({ kind: 'refusal' }),
  );

  it.each(['A worker walks past the conveyor.', 'At <12.5 seconds>.', '{"start_time": "soon"}'])(
    'reports %j as unparsed',
    (text) => expect(q3.parse(text).kind).toBe('unparsed'),
  );
});
