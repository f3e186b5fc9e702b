import { DatasetFormatError, finite, readWindow, type ReadResult } from './types.js';

/**
 * ActivityNet Captions: `{"v_x": {"duration", "timestamps": [[s, e], ...], "sentences": [...]}}`,
 * one item per sentence, id `${video}#${i}`. A bad entry is skipped under its key, a bad
 * sentence or timestamp under `${video}#${i}`.
 */
export function readActivityNet(text: string): ReadResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new DatasetFormatError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new DatasetFormatError('not an object of videos ({"v_x": {...}})');
  const result: ReadResult = { items: [], skipped: [] };
  for (const [video, entry] of Object.entries(doc)) {
    const skip = (reason: string, key = video) => result.skipped.push({ file: 'annotations', key, reason });
    if (typeof entry !== 'object' || entry === null) {
      skip('not an object');
      continue;
    }
    const { duration, timestamps, sentences } = entry as Record<string, unknown>;
    const durationS = finite(duration);
    if (durationS === null || durationS <= 0) {
      skip('no positive "duration"');
      continue;
    }
    if (!Array.isArray(timestamps) || !Array.isArray(sentences)) {
      skip('"timestamps" and "sentences" must be arrays');
      continue;
    }
    if (timestamps.length !== sentences.length) {
      skip(`${timestamps.length} timestamps for ${sentences.length} sentences`);
      continue;
    }
    for (const [i, sentence] of sentences.entries()) {
      const id = `${video}#${i}`;
      const window = readWindow(timestamps[i]);
      if (typeof window === 'string') skip(window, id);
      else if (typeof sentence !== 'string' || sentence.trim().length === 0) skip('the sentence is empty', id);
      else result.items.push({ id, video, query: sentence.trim(), durationS, moments: [window] });
    }
  }
  return result;
}
