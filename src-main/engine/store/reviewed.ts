import type { RejectReason, VerdictKind } from '../../../src-shared/api.js';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import type { Span } from '../../../src-shared/span.js';
import type { DB } from './db.js';

/**
 * A segment's standing verdict: its latest verdict that is not undone (earlier ones on the
 * same segment are superseded by it), with what the learning code needs around it.
 */
export interface ReviewedVerdict {
  verdictId: number;
  verdict: VerdictKind;
  reason: RejectReason | null;
  /** Who gave the verdict ('operator' today). */
  source: string;
  verdictAt: string;
  segmentId: number;
  segmentSource: 'model' | 'operator';
  queryId: number;
  query: string;
  recordingId: number;
  video: string;
  durationS: number;
  /** The moment the verdict says is there: accepted bounds, adjusted or added bounds; null for a rejection. */
  span: Span | null;
  /** For a rejection: the bounds that were rejected. */
  rejectedSpan: Span | null;
  /** The bounds the model gave (before any adjustment); null for an operator-added segment. */
  modelSpan: Span | null;
  /** Confidence the operator saw, and the model's own (before calibration). Null for an added segment. */
  confidence: number | null;
  rawConfidence: number | null;
  /** The segment's run; for an added segment, the newest run of its query on its recording (the one that missed it). */
  runId: number | null;
  /** The model of that run. */
  modelName: string | null;
}

interface Row {
  verdict_id: number;
  verdict: VerdictKind;
  reason: RejectReason | null;
  source: string;
  created_at: string;
  start_s: number | null;
  end_s: number | null;
  previous_start_s: number | null;
  previous_end_s: number | null;
  segment_id: number;
  segment_source: 'model' | 'operator';
  query_id: number;
  query: string;
  recording_id: number;
  video: string;
  duration_s: number;
  confidence: number | null;
  raw_confidence: number | null;
  model_start_s: number | null;
  model_end_s: number | null;
  run_id: number | null;
  model_name: string | null;
}

/** The model's bounds of a segment: the bounds before its first verdict, else its bounds now. */
const MODEL_START = `COALESCE((SELECT v0.previous_start_s FROM verdicts v0 WHERE v0.segment_id = s.id ORDER BY v0.id LIMIT 1), s.start_s)`;
const MODEL_END = `COALESCE((SELECT v0.previous_end_s FROM verdicts v0 WHERE v0.segment_id = s.id ORDER BY v0.id LIMIT 1), s.end_s)`;

const STANDING = `
  WITH latest AS (SELECT segment_id, MAX(id) AS id FROM verdicts WHERE undone = 0 GROUP BY segment_id)
  SELECT v.id AS verdict_id, v.verdict, v.reason, v.source, v.created_at, v.start_s, v.end_s,
         v.previous_start_s, v.previous_end_s,
         s.id AS segment_id, s.source AS segment_source, s.query_id, q.text AS query, s.recording_id,
         rec.path AS video, rec.duration_s, s.confidence, COALESCE(s.raw_confidence, s.confidence) AS raw_confidence,
         CASE WHEN s.source = 'model' THEN ${MODEL_START} END AS model_start_s,
         CASE WHEN s.source = 'model' THEN ${MODEL_END} END AS model_end_s,
         run.id AS run_id, run.model_name
  FROM latest l
  JOIN verdicts v ON v.id = l.id
  JOIN segments s ON s.id = v.segment_id
  JOIN queries q ON q.id = s.query_id
  JOIN recordings rec ON rec.id = s.recording_id
  LEFT JOIN runs run ON run.id = COALESCE(s.run_id,
    (SELECT r.id FROM runs r WHERE r.query_id = s.query_id AND r.recording_id = s.recording_id ORDER BY r.id DESC LIMIT 1))`;

function spanOf(r: Row): Span | null {
  if (r.verdict === 'reject') return null;
  if (r.verdict === 'accept') return { startS: r.previous_start_s as number, endS: r.previous_end_s as number };
  return { startS: r.start_s as number, endS: r.end_s as number };
}

function toReviewed(r: Row): ReviewedVerdict {
  return {
    verdictId: r.verdict_id,
    verdict: r.verdict,
    reason: r.verdict === 'reject' ? r.reason : null,
    source: r.source,
    verdictAt: r.created_at,
    segmentId: r.segment_id,
    segmentSource: r.segment_source,
    queryId: r.query_id,
    query: r.query,
    recordingId: r.recording_id,
    video: r.video,
    durationS: r.duration_s,
    span: spanOf(r),
    rejectedSpan:
      r.verdict === 'reject' ? { startS: r.previous_start_s as number, endS: r.previous_end_s as number } : null,
    modelSpan: r.model_start_s === null ? null : { startS: r.model_start_s, endS: r.model_end_s as number },
    confidence: r.confidence,
    rawConfidence: r.segment_source === 'model' ? r.raw_confidence : null,
    runId: r.run_id,
    modelName: r.model_name,
  };
}

/** A run as the learning code sees it: model, answer profile, windows and the scan it planned frames from. */
export interface RunContext {
  id: number;
  modelName: string;
  profile: string | null;
  scanId: number | null;
  refused: boolean;
  windows: Span[];
}

/** A model segment of a run with the model's own bounds (not the operator's adjustment). */
export interface RunSegment {
  id: number;
  startS: number;
  endS: number;
  confidence: number | null;
  rank: number | null;
}

/** Read-only queries over the verdicts, for training data, calibration and evaluation. */
export class ReviewedRepo {
  constructor(private readonly db: DB) {}

  /** Every segment's standing verdict, oldest verdict first. */
  standing(): ReviewedVerdict[] {
    return (this.db.prepare(`${STANDING} ORDER BY v.id`).all() as Row[]).map(toReviewed);
  }

  run(id: number): RunContext | undefined {
    const row = this.db
      .prepare('SELECT id, model_name, scan_id, refused, window_plan, settings FROM runs WHERE id = ?')
      .get(id) as
      | {
          id: number;
          model_name: string;
          scan_id: number | null;
          refused: number;
          window_plan: string;
          settings: string;
        }
      | undefined;
    if (!row) return undefined;
    const plan = JSON.parse(row.window_plan) as unknown;
    const settings = JSON.parse(row.settings) as { profile?: unknown };
    return {
      id: row.id,
      modelName: row.model_name,
      profile: typeof settings.profile === 'string' ? settings.profile : null,
      scanId: row.scan_id,
      refused: row.refused === 1,
      windows: Array.isArray(plan)
        ? (plan as Span[]).filter((w) => typeof w?.startS === 'number' && typeof w?.endS === 'number')
        : [],
    };
  }

  /** The planned frames of a scan, or null when it is gone. */
  scanFrames(scanId: number): PlannedFrame[] | null {
    const row = this.db.prepare('SELECT frames FROM scans WHERE id = ?').get(scanId) as { frames: string } | undefined;
    return row ? (JSON.parse(row.frames) as PlannedFrame[]) : null;
  }

  /** A run's model segments, best first, with the bounds the model gave. */
  runSegments(runId: number): RunSegment[] {
    return this.db
      .prepare(
        `SELECT s.id, ${MODEL_START} AS startS, ${MODEL_END} AS endS, s.confidence, s.rank
         FROM segments s WHERE s.run_id = ? AND s.source = 'model' ORDER BY s.rank, s.id`,
      )
      .all(runId) as RunSegment[];
  }

  /** The newest run of each (query text, recording) for a model: key `${text}\n${recordingId}`. */
  newestRuns(modelName: string): Map<string, { runId: number; query: string; recordingId: number; durationS: number }> {
    const rows = this.db
      .prepare(
        `SELECT r.id AS runId, q.text AS query, r.recording_id AS recordingId, rec.duration_s AS durationS
         FROM runs r JOIN queries q ON q.id = r.query_id JOIN recordings rec ON rec.id = r.recording_id
         WHERE r.model_name = ? ORDER BY r.id`,
      )
      .all(modelName) as { runId: number; query: string; recordingId: number; durationS: number }[];
    return new Map(rows.map((r) => [pairKey(r.query, r.recordingId), r]));
  }

  /** The reviewed (query text, recording) pairs with a known truth that a model has no run on. */
  missingPairs(model: string): { query: string; recordingId: number }[] {
    const pairs = new Map<string, { query: string; recordingId: number }>();
    for (const v of this.standing()) {
      // Only pairs with a known truth are scored: a moment (a span) or a "not present" rejection.
      if (v.span === null && v.reason !== 'not-present') continue;
      pairs.set(pairKey(v.query, v.recordingId), { query: v.query, recordingId: v.recordingId });
    }
    const hasRun = this.db.prepare(
      `SELECT 1 FROM runs r JOIN queries q ON q.id = r.query_id
       WHERE r.model_name = ? AND r.recording_id = ? AND q.text = ? LIMIT 1`,
    );
    return [...pairs.values()].filter((p) => !hasRun.get(model, p.recordingId, p.query));
  }

  /** Names of the models that have runs, alphabetically. */
  modelNames(): string[] {
    return (
      this.db.prepare('SELECT DISTINCT model_name AS name FROM runs ORDER BY model_name').all() as { name: string }[]
    ).map((r) => r.name);
  }
}

/** Key of a (query text, recording) pair: the same sentence asked again is the same question. */
export function pairKey(query: string, recordingId: number): string {
  return `${query}\n${recordingId}`;
}
