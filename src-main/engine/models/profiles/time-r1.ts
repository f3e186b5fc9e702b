import { rangeAnswer, type AnswerProfile, type ParsedAnswer } from './types.js';

const ANSWER = /<answer>([\s\S]*?)<\/answer>/gi;
const RANGE = /(\d+\.?\d*) (to|and) (\d+\.?\d*)/g;
const REFUSAL = /^\s*(?:none|no event|not present|the event does not happen[^<]*)\s*\.?\s*$/i;

/**
 * Time-R1, TimeZero and VideoChat-R1 (Qwen2.5-VL-7B fine-tunes): the answer is
 * "<answer>12.54 to 17.83</answer>", read with their own expression, last match wins.
 * The refusal form, "<answer>none</answer>", is ours (Tempo-R0's partial-irrelevance refusal).
 */
export const timeR1Profile: AnswerProfile = {
  name: 'time-r1',
  // The prompt asks for the reasoning in <think> first: the answer comes after it.
  maxNewTokens: 384,
  refusalText: '<answer>none</answer>',
  answerText: (s) => `<answer>${s.startS.toFixed(2)} to ${s.endS.toFixed(2)}</answer>`,
  instruction(query) {
    return (
      `To accurately pinpoint the event "${query}" in the video, determine ` +
      `the precise time period of the event. Output your thought process within the <think> </think> tags. ` +
      `Then, provide the start and end times (in seconds, precision to two decimal places) in the format ` +
      `"start time to end time" within the <answer> </answer> tags. For example: "12.54 to 17.83". ` +
      `If the event does not happen in the video, answer <answer>none</answer>.`
    );
  },
  parse(text): ParsedAnswer {
    const answers = [...text.matchAll(ANSWER)];
    const inner = answers.at(-1)?.[1];
    if (inner === undefined) return { kind: 'unparsed', reason: 'no <answer> tags' };
    const last = [...inner.matchAll(RANGE)].at(-1);
    if (last) return rangeAnswer(Number(last[1]), Number(last[3]));
    if (REFUSAL.test(inner)) return { kind: 'refusal' };
    return { kind: 'unparsed', reason: 'no "start to end" inside <answer>' };
  },
};
