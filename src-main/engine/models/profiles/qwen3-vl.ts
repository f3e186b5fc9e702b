import { formatSeconds, rangeAnswer, type AnswerProfile, type ParsedAnswer } from './types.js';

/** A time as Qwen3-VL writes one: `12.5`, `<12.5 seconds>`, `12.5s`, or a clock `00:12.5` / `0:00:12.50`. */
const TIME = String.raw`<?\s*(\d+(?::\d{1,2}){0,2}(?:\.\d+)?)\s*(?:s\b|sec\b|seconds?)?\s*>?`;
const RANGE = new RegExp(`${TIME}\\s*(?:-|–|~|to|until|and(?:\\s+ends?\\s+at)?)\\s*${TIME}`, 'gi');
const JSON_SPAN = /"start(?:_time)?"\s*:\s*"?([\d:.]+)[^,}]*,\s*"end(?:_time)?"\s*:\s*"?([\d:.]+)/gi;
const REFUSAL =
  /\b(?:does not|doesn't|did not|never)\s+(?:happen|occur|appear|take place)|\bnot (?:present|shown|in the video)|^\s*(?:none|\[\s*\])\s*\.?\s*$/i;

/** Seconds of a time written as seconds or as a clock (m:ss, h:mm:ss). */
function clockSeconds(s: string): number {
  return s.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

/**
 * Qwen3-VL-Instruct's own way: frames carry `<t seconds>` timestamps (the family's time
 * encoding) and the model answers with times in the same notation, "<12.5 seconds> -
 * <17.0 seconds>", "from 12.5 to 17.0 seconds", clock times, or the cookbook's JSON
 * `{"start_time": ..., "end_time": ...}`. The last span written wins.
 */
export const qwen3VlProfile: AnswerProfile = {
  name: 'qwen3-vl',
  maxNewTokens: 64,
  refusalText: 'The event does not happen in the video.',
  answerText: (s) => `<${formatSeconds(s.startS)} seconds> - <${formatSeconds(s.endS)} seconds>`,
  instruction(query) {
    return (
      `When does "${query}" happen in the video? Answer with its start and end timestamps in seconds, ` +
      `as "<start seconds> - <end seconds>". If it does not happen in the video, answer "The event does not ` +
      `happen in the video."`
    );
  },
  parse(text): ParsedAnswer {
    const json = [...text.matchAll(JSON_SPAN)].at(-1);
    if (json) return rangeAnswer(clockSeconds(json[1] as string), clockSeconds(json[2] as string));
    const last = [...text.matchAll(RANGE)].at(-1);
    if (last) return rangeAnswer(clockSeconds(last[1] as string), clockSeconds(last[2] as string));
    if (REFUSAL.test(text)) return { kind: 'refusal' };
    return { kind: 'unparsed', reason: 'no start and end timestamps in the answer' };
  },
};
