import type { RejectReason, Segment, SegmentState, VerdictKind } from '../../../src-shared/api.js';
import { StoreError } from '../errors.js';
import { nowIso, type DB } from './db.js';

interface SegmentRow {
  id: number;
  query_id: number;
  recording_id: number;
  run_id: number | null;
  start_s: number;
  end_s: number;
  confidence: number | null;
  rank: number | null;
  source: 'model' | 'operator';
  state: SegmentState;
  reason: RejectReason | null;
}

/** The state a segment is in after its latest standing verdict. */
const STATE_AFTER: Record<VerdictKind, SegmentState> = {
  accept: 'accepted',
  reject: 'rejected',
  adjust: 'adjusted',
  add: 'accepted',
};

const SELECT = `
  SELECT s.id, s.query_id, s.recording_id, s.run_id, s.start_s, s.end_s, s.confidence, s.rank, s.source, s.state,
    (SELECT v.reason FROM verdicts v WHERE v.segment_id = s.id AND v.undone = 0 ORDER BY v.id DESC LIMIT 1) AS reason
  FROM segments s`;

function toSegment(r: SegmentRow): Segment {
  return {
    id: r.id,
    queryId: r.query_id,
    recordingId: r.recording_id,
    runId: r.run_id,
    startS: r.start_s,
    endS: r.end_s,
    confidence: r.confidence,
    rank: r.rank,
    source: r.source,
    state: r.state,
    reason: r.state === 'rejected' ? r.reason : null,
  };
}

/**
 * Segments and the operator's verdicts on them. Each verdict is one transaction: the
 * verdict row and the segment's new state (and bounds) land together or not at all.
 */
export class SegmentsRepo {
  constructor(private readonly db: DB) {}

  get(id: number): Segment | undefined {
    const row = this.db.prepare(`${SELECT} WHERE s.id = ?`).get(id) as SegmentRow | undefined;
    return row ? toSegment(row) : undefined;
  }

  /** A query's segments across recordings, most confident first (operator-added ones count as certain). */
  byQuery(queryId: number): Segment[] {
    const rows = this.db
      .prepare(`${SELECT} WHERE s.query_id = ? ORDER BY COALESCE(s.confidence, 1) DESC, s.recording_id, s.start_s`)
      .all(queryId) as SegmentRow[];
    return rows.map(toSegment);
  }

  /** The model's segments of a query to review: under `threshold` first, lowest first; then the rest, highest first. */
  reviewQueue(queryId: number, threshold: number): Segment[] {
    const rows = this.db
      .prepare(
        `${SELECT} WHERE s.query_id = ? AND s.source = 'model'
         ORDER BY (s.confidence >= ?) ASC,
                  CASE WHEN s.confidence < ? THEN s.confidence ELSE -s.confidence END ASC,
                  s.recording_id, s.start_s`,
      )
      .all(queryId, threshold, threshold) as SegmentRow[];
    return rows.map(toSegment);
  }

  private must(id: number): Segment {
    const s = this.get(id);
    if (!s) throw new StoreError(`no segment ${id}`);
    return s;
  }

  /** Records accept, reject or adjust on a segment. */
  verdict(
    segmentId: number,
    v: { kind: 'accept' } | { kind: 'reject'; reason: RejectReason } | { kind: 'adjust'; startS: number; endS: number },
    clientId?: string,
  ): Segment {
    return this.db.transaction(() => {
      const seg = this.must(segmentId);
      const now = nowIso();
      const bounds = v.kind === 'adjust' ? [v.startS, v.endS] : [null, null];
      this.db
        .prepare(
          `INSERT INTO verdicts (segment_id, verdict, reason, start_s, end_s, previous_start_s, previous_end_s, created_at,
             client_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          segmentId,
          v.kind,
          v.kind === 'reject' ? v.reason : null,
          ...bounds,
          seg.startS,
          seg.endS,
          now,
          clientId ?? null,
        );
      if (v.kind === 'adjust') {
        this.db
          .prepare('UPDATE segments SET start_s = ?, end_s = ?, state = ? WHERE id = ?')
          .run(v.startS, v.endS, 'adjusted', segmentId);
      } else this.db.prepare('UPDATE segments SET state = ? WHERE id = ?').run(STATE_AFTER[v.kind], segmentId);
      return this.must(segmentId);
    })();
  }

  /** A segment the model missed, added by the operator (accepted, with an 'add' verdict). */
  add(queryId: number, recordingId: number, startS: number, endS: number, clientId?: string): Segment {
    return this.db.transaction(() => {
      const now = nowIso();
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO segments (run_id, query_id, recording_id, start_s, end_s, confidence, rank, source, state, created_at)
             VALUES (NULL, ?, ?, ?, ?, NULL, NULL, 'operator', 'accepted', ?)`,
          )
          .run(queryId, recordingId, startS, endS, now).lastInsertRowid,
      );
      this.db
        .prepare(
          `INSERT INTO verdicts (segment_id, verdict, start_s, end_s, created_at, client_id) VALUES (?, 'add', ?, ?, ?, ?)`,
        )
        .run(id, startS, endS, now, clientId ?? null);
      return this.must(id);
    })();
  }

  /**
   * Takes back the latest standing verdict of one client (a window or page): an adjustment
   * gets its previous bounds back, an added segment goes, and the segment's state becomes
   * what its verdicts before say. Another client's verdicts are never touched.
   */
  undo(clientId: string): { segment: Segment | null; removed: number | null } {
    return this.db.transaction(() => {
      const v = this.db
        .prepare(
          `SELECT id, segment_id, verdict, previous_start_s, previous_end_s FROM verdicts
           WHERE undone = 0 AND client_id = ? ORDER BY id DESC LIMIT 1`,
        )
        .get(clientId) as
        | { id: number; segment_id: number; verdict: VerdictKind; previous_start_s: number; previous_end_s: number }
        | undefined;
      if (!v) return { segment: null, removed: null };
      if (v.verdict === 'add') {
        this.db.prepare('DELETE FROM segments WHERE id = ?').run(v.segment_id);
        return { segment: null, removed: v.segment_id };
      }
      this.db.prepare('UPDATE verdicts SET undone = 1 WHERE id = ?').run(v.id);
      if (v.verdict === 'adjust') {
        this.db
          .prepare('UPDATE segments SET start_s = ?, end_s = ? WHERE id = ?')
          .run(v.previous_start_s, v.previous_end_s, v.segment_id);
      }
      const before = this.db
        .prepare('SELECT verdict FROM verdicts WHERE segment_id = ? AND undone = 0 ORDER BY id DESC LIMIT 1')
        .get(v.segment_id) as { verdict: VerdictKind } | undefined;
      this.db
        .prepare('UPDATE segments SET state = ? WHERE id = ?')
        .run(before ? STATE_AFTER[before.verdict] : 'pending', v.segment_id);
      return { segment: this.must(v.segment_id), removed: null };
    })();
  }
}
