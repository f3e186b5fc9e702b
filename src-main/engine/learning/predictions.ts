import { finite, numberedLines, type Skipped } from './datasets/types.js';

/** A predicted moment with its score (our confidence, or a submission's score). */
export interface ScoredSpan {
  startS: number;
  endS: number;
  score: number;
}

/** One item's prediction, whichever file it came from. Segments are in ranked order as listed. */
export interface Prediction {
  id: string;
  /** The model said the query does not happen (an empty submission list counts as this too). */
  refused: boolean;
  segments: ScoredSpan[];
  line: number;
}

/**
 * A line of the predictions JSONL that `tempo eval` writes, one per item, in ranked order.
 * `refused` is true when every window refused; false with no segments is no answer at all
 * (the video was missing or unreadable; `note` says why). It is scored like a refusal on a
 * query that has a moment.
 */
export interface PredictionLine {
  id: string;
  video: string;
  query: string;
  refused: boolean;
  segments: { startS: number; endS: number; confidence: number }[];
  note?: string;
}

/** The JSONL text of one prediction line, newline included. */
export function formatPredictionLine(p: PredictionLine): string {
  return JSON.stringify(p) + '\n';
}

/** [start, end, score] of a submission window, or {startS, endS, confidence} of our segment. */
function segmentFields(s: unknown, triple: boolean): unknown[] {
  if (triple) return Array.isArray(s) ? s.slice(0, 3) : [];
  if (typeof s !== 'object' || s === null) return [];
  const o = s as Record<string, unknown>;
  return [o['startS'], o['endS'], o['confidence']];
}

function readSegments(v: unknown, triple: boolean): ScoredSpan[] | string {
  const what = triple ? 'window' : 'segment';
  if (!Array.isArray(v)) return triple ? '"pred_relevant_windows" must be an array' : '"segments" must be an array';
  const out: ScoredSpan[] = [];
  for (const [i, s] of v.entries()) {
    const [startS, endS, score] = segmentFields(s, triple).map(finite);
    if (startS == null || endS == null || score == null)
      return `${what} ${i + 1} is not ${triple ? '[start, end, score]' : '{startS, endS, confidence}'}`;
    if (endS < startS) return `${what} ${i + 1} ends before it starts (${startS} - ${endS})`;
    out.push({ startS, endS, score });
  }
  return out;
}

/** Reads one parsed line: our own format (`id`, `refused`, `segments`) or a QVHighlights submission (`qid`, `pred_relevant_windows`). */
function readLine(doc: Record<string, unknown>): Omit<Prediction, 'line'> | string {
  if ('pred_relevant_windows' in doc) {
    const { qid } = doc;
    if (typeof qid !== 'number' && typeof qid !== 'string') return 'no "qid"';
    const segments = readSegments(doc['pred_relevant_windows'], true);
    if (typeof segments === 'string') return segments;
    return { id: String(qid), refused: segments.length === 0, segments };
  }
  const { id, refused } = doc;
  if (typeof id !== 'string' || id.length === 0) return 'no "id" (nor "qid" with "pred_relevant_windows")';
  if (typeof refused !== 'boolean') return '"refused" must be true or false';
  const segments = readSegments(doc['segments'], false);
  if (typeof segments === 'string') return segments;
  if (refused && segments.length > 0) return 'refused, yet with segments';
  return { id, refused, segments };
}

/**
 * Reads a predictions file: the JSONL `tempo eval` writes, QVHighlights submission lines, or
 * both. A malformed line is skipped with its number (its item then counts as not answered); a
 * second line for the same id is skipped too.
 */
export function readPredictions(text: string): { predictions: Map<string, Prediction>; skipped: Skipped[] } {
  const predictions = new Map<string, Prediction>();
  const skipped: Skipped[] = [];
  for (const { line, text: t } of numberedLines(text)) {
    let doc: unknown;
    try {
      doc = JSON.parse(t);
    } catch {
      skipped.push({ file: 'predictions', line, reason: 'not JSON' });
      continue;
    }
    const read =
      typeof doc === 'object' && doc !== null && !Array.isArray(doc)
        ? readLine(doc as Record<string, unknown>)
        : 'not a JSON object';
    if (typeof read === 'string') skipped.push({ file: 'predictions', line, reason: read });
    else if (predictions.has(read.id))
      skipped.push({
        file: 'predictions',
        line,
        reason: `a second prediction for ${read.id} (first on line ${predictions.get(read.id)?.line})`,
      });
    else predictions.set(read.id, { ...read, line });
  }
  return { predictions, skipped };
}

/** Ids of the complete lines of a predictions file (what a resumed run skips). */
export function writtenIds(text: string): Set<string> {
  return new Set(readPredictions(text).predictions.keys());
}
