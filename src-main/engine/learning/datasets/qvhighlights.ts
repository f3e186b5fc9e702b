import type { Span } from '../../../../src-shared/span.js';
import { finite, numberedLines, readWindow, type ReadResult } from './types.js';

/**
 * QVHighlights: JSONL lines `{"qid", "query", "vid", "duration", "relevant_windows": [[s, e], ...]}`;
 * id = String(qid). A line without windows (or with none) is a query that does not happen.
 */
export function readQVHighlights(text: string): ReadResult {
  const result: ReadResult = { items: [], skipped: [] };
  const seen = new Map<string, number>();
  for (const { line, text: t } of numberedLines(text)) {
    const skip = (reason: string) => result.skipped.push({ file: 'annotations', line, reason });
    let doc: unknown;
    try {
      doc = JSON.parse(t);
    } catch {
      skip('not JSON');
      continue;
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      skip('not a JSON object');
      continue;
    }
    const { qid, query, vid, duration, relevant_windows: windows } = doc as Record<string, unknown>;
    if (typeof qid !== 'number' && typeof qid !== 'string') {
      skip('no "qid"');
      continue;
    }
    const id = String(qid);
    const durationS = finite(duration);
    if (typeof query !== 'string' || query.trim().length === 0) skip('no "query"');
    else if (typeof vid !== 'string' || vid.length === 0) skip('no "vid"');
    else if (durationS === null || durationS <= 0) skip('no positive "duration"');
    else if (windows !== undefined && windows !== null && !Array.isArray(windows))
      skip('"relevant_windows" must be an array');
    else if (seen.has(id)) skip(`qid ${id} again (first on line ${seen.get(id)})`);
    else {
      const moments: Span[] = [];
      let problem: string | null = null;
      for (const w of (windows as unknown[] | null | undefined) ?? []) {
        const span = readWindow(w);
        if (typeof span === 'string') problem = span;
        else moments.push(span);
      }
      if (problem) skip(problem);
      else {
        seen.set(id, line);
        result.items.push({ id, video: vid, query: query.trim(), durationS, moments, line });
      }
    }
  }
  return result;
}
