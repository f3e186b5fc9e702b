import { formatSeconds, rangeAnswer, type AnswerProfile, type ParsedAnswer } from './types.js';

const RANGE = /(\d+(?:\.\d+)?)\s*(?:s|sec|seconds)?\s*(?:-|–|to|and|until)\s*(\d+(?:\.\d+)?)/gi;
const REFUSAL =
  /\b(?:does not|doesn't|did not|didn't|never)\s+(?:happen|occur|appear|take place)|\bnot (?:present|shown|visible|in (?:this|the) video)|\bno such (?:event|moment)|^\s*none\.?\s*$/i;

/**
 * The generic Qwen2-VL / Qwen2.5-VL instruction model, read the TimeLens way: a timestamp
 * before every frame, and the answer "The event happens in <start> - <end> seconds."
 */
export const qwen2VlProfile: AnswerProfile = {
  name: 'qwen2-vl',
  // "The event happens in 3599.5 - 3612.0 seconds." is about 21 tokens in Qwen2's tokenizer
  // (one token per digit); a longer answer is not this form.
  maxNewTokens: 32,
  refusalText: 'The event does not happen in this video.',
  answerText: (s) => `The event happens in ${formatSeconds(s.startS)} - ${formatSeconds(s.endS)} seconds.`,
  instruction(query, window) {
    return (
      `Each frame above is preceded by its time in seconds, from ${formatSeconds(window.startS)} to ` +
      `${formatSeconds(window.endS)}. Find when this event happens: "${query}". ` +
      `Answer "The event happens in <start> - <end> seconds." using the frame times, ` +
      `or "The event does not happen in this video." if it does not happen.`
    );
  },
  parse(text): ParsedAnswer {
    const matches = [...text.matchAll(RANGE)];
    const last = matches.at(-1);
    if (last) return rangeAnswer(Number(last[1]), Number(last[2]));
    if (REFUSAL.test(text)) return { kind: 'refusal' };
    return { kind: 'unparsed', reason: 'no time range and no refusal in the answer' };
  },
};
