import type { WindowAnswer } from '../grounding/window-answers.js';
import { nowIso, type DB } from './db.js';

/** Where a window's answer belongs: a query on a recording, under the plan that cut its windows. */
export interface WindowPlanRef {
  queryId: number;
  recordingId: number;
  /** What makes window indices mean the same windows (jobs/query-plan-key.ts windowPlanKey). */
  planKey: string;
}

interface AnswerRow {
  outcome: string;
  found: string | null;
  notes: string;
}

/**
 * Window answers stored as the model gives them, one row per window of a plan: what a query
 * job taken up after a crash reads back instead of asking those windows again. Each is one
 * complete row, written on its own (no transaction to wait for), and written once: storing a
 * window again (a process taken for dead that still ran) keeps the first answer.
 */
export class WindowAnswersRepo {
  constructor(private readonly db: DB) {}

  /** Stores one window's answer; returns false when that window was stored already. */
  store(ref: WindowPlanRef, answer: WindowAnswer): boolean {
    const info = this.db
      .prepare(
        `INSERT INTO window_answers (query_id, recording_id, plan_key, window_index, outcome, found, notes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(
        ref.queryId,
        ref.recordingId,
        ref.planKey,
        answer.outcome.index,
        JSON.stringify(answer.outcome),
        answer.found === null ? null : JSON.stringify(answer.found),
        JSON.stringify(answer.notes),
        nowIso(),
      );
    return info.changes === 1;
  }

  /** The answers stored under a plan, by window index. */
  forPlan(ref: WindowPlanRef): Map<number, WindowAnswer> {
    const rows = this.db
      .prepare(
        `SELECT outcome, found, notes FROM window_answers
         WHERE query_id = ? AND recording_id = ? AND plan_key = ? ORDER BY window_index`,
      )
      .all(ref.queryId, ref.recordingId, ref.planKey) as AnswerRow[];
    const answers = rows.map((r): WindowAnswer => ({
      outcome: JSON.parse(r.outcome) as WindowAnswer['outcome'],
      found: r.found === null ? null : (JSON.parse(r.found) as WindowAnswer['found']),
      notes: JSON.parse(r.notes) as string[],
    }));
    return new Map(answers.map((a) => [a.outcome.index, a]));
  }

  /** How many windows of a query are stored, on one recording or all of them. */
  count(queryId: number, recordingId?: number): number {
    const row = (
      recordingId === undefined
        ? this.db.prepare('SELECT count(*) AS n FROM window_answers WHERE query_id = ?').get(queryId)
        : this.db
            .prepare('SELECT count(*) AS n FROM window_answers WHERE query_id = ? AND recording_id = ?')
            .get(queryId, recordingId)
    ) as { n: number };
    return row.n;
  }
}
