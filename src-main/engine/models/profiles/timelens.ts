import { formatSeconds, rangeAnswer, type AnswerProfile, type ParsedAnswer } from './types.js';

const RANGE = /(\d+(?:\.\d+)?)\s*(?:s|seconds?)?\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*(?:s\b|seconds?)?/gi;
const REFUSAL = /\b(?:does not|doesn't|did not|never)\s+(?:happen|occur|appear)|\bnot (?:present|shown|in the video)/i;

/**
 * TimeLens (TimeLens-7B on Qwen2.5-VL, TimeLens-8B on Qwen3-VL): its own question, answered
 * "The event happens in <start> - <end> seconds". The refusal sentence after the question is
 * Tempo-R0's (partial-irrelevance refusal); the checkpoint was not trained on it, so its
 * refusals are rare and its confidence carries the weight.
 */
export const timeLensProfile: AnswerProfile = {
  name: 'timelens',
  // "The event happens in 3599.5 - 3612.0 seconds." is about 21 tokens; a little room for variants.
  maxNewTokens: 48,
  refusalText: 'The event does not happen in the video.',
  answerText: (s) => `The event happens in ${formatSeconds(s.startS)} - ${formatSeconds(s.endS)} seconds.`,
  instruction(query) {
    return (
      `Please find the visual event described by the sentence '${query}', determining its starting and ending ` +
      `times. The format should be: 'The event happens in <start time> - <end time> seconds'. ` +
      `If the event does not happen in the video, answer 'The event does not happen in the video.'`
    );
  },
  parse(text): ParsedAnswer {
    if (REFUSAL.test(text)) return { kind: 'refusal' };
    const last = [...text.matchAll(RANGE)].at(-1);
    if (last) return rangeAnswer(Number(last[1]), Number(last[2]));
    return { kind: 'unparsed', reason: 'no "<start> - <end> seconds" in the answer' };
  },
};
