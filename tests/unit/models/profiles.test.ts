import { describe, expect, it } from 'vitest';
import { getProfile, PROFILES } from '../../../src-main/engine/models/profiles/index.js';

const qwen = getProfile('qwen2-vl')!;
const r1 = getProfile('time-r1')!;

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
