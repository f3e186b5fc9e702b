import { readActivityNet } from './activitynet.js';
import { readCharades } from './charades.js';
import { readQVHighlights } from './qvhighlights.js';
import type { EvalFormat, ReadResult } from './types.js';

export { readActivityNet, readCharades, readQVHighlights };
export { readDurationsCsv, withDurations } from './durations.js';
export * from './types.js';

/** Reads an annotation file's text in one of the benchmark formats. */
export function readAnnotations(format: EvalFormat, text: string): ReadResult {
  switch (format) {
    case 'charades':
      return readCharades(text);
    case 'activitynet':
      return readActivityNet(text);
    case 'qvhighlights':
      return readQVHighlights(text);
  }
}
