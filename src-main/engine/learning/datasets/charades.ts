import { numberedLines, type EvalItem, type ReadResult } from './types.js';

const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const LINE = new RegExp(String.raw`^\s*(\S+)\s+(${NUMBER})\s+(${NUMBER})\s*##(.*)$`);

/**
 * Charades-STA: one query a line, `VIDEOID start end##sentence`. The set carries no video
 * durations: they come from a CSV or the videos (see `withDurations`). Ids are
 * `${video}#${n}`, n counting the video's readable lines from 0 in file order.
 */
export function readCharades(text: string): ReadResult {
  const result: ReadResult = { items: [], skipped: [] };
  const perVideo = new Map<string, number>();
  for (const { line, text: t } of numberedLines(text)) {
    const m = LINE.exec(t);
    if (!m) {
      result.skipped.push({ file: 'annotations', line, reason: 'not "VIDEOID start end##sentence"' });
      continue;
    }
    const [, video, a, b, sentence] = m as unknown as [string, string, string, string, string];
    const startS = Number(a);
    const endS = Number(b);
    const query = sentence.trim();
    const problem =
      query.length === 0
        ? 'the sentence is empty'
        : startS < 0
          ? `the moment starts before 0 (${a})`
          : endS < startS
            ? `the moment ends before it starts (${a} - ${b})`
            : null;
    if (problem) {
      result.skipped.push({ file: 'annotations', line, reason: problem });
      continue;
    }
    const n = perVideo.get(video) ?? 0;
    perVideo.set(video, n + 1);
    const item: EvalItem = { id: `${video}#${n}`, video, query, durationS: null, moments: [{ startS, endS }], line };
    result.items.push(item);
  }
  return result;
}
