import type { DenseLook } from '../grounding/dense-looks.js';
import type { WindowAnswer } from '../grounding/window-answers.js';
import { nowIso, type DB } from './db.js';

/** Where a window's answer belongs: a query on a recording, under the plan that cut its windows. */
export interface WindowPlanRef {
  queryId: number;
  recordingId: number;
  /** What makes window indices mean the same windows (jobs/query-plan-key.ts windowPlanKey). */
  planKey: string;
}

/**
 * The plan key under which a plan's dense looks are stored, apart from its windows: one row per
 * look, `window_index` the merged segment's index, `outcome` the segment it was asked for
 * ({index, startS, endS}), `found` the segment refined, `notes` its note (none or one).
 */
export function denseKey(planKey: string): string {
  return `${planKey}#dense`;
}

/** Rows of windows, not of dense looks. */
const WINDOWS_ONLY = "plan_key NOT LIKE '%#dense'";

interface AnswerRow {
  outcome: string;
  found: string | null;
  notes: string;
}

/**
 * Window answers stored as the model gives them, one row per window of a plan: what a query
 * job taken up after a crash reads back instead of asking those windows again. Each is one
 * complete row, written on its own (no transaction to wait for), and written once: storing a
 * window again (a process taken for dead that still ran) keeps the first answer. The dense
 * looks at a plan's merged segments are stored the same way, under denseKey.
 */
export class WindowAnswersRepo {
  constructor(private readonly db: DB) {}

  /** Stores one window's answer; returns false when that window was stored already. */
  store(ref: WindowPlanRef, answer: WindowAnswer): boolean {
    const found = answer.found === null ? null : JSON.stringify(answer.found);
    return this.insert(ref, answer.outcome.index, [JSON.stringify(answer.outcome), found, answer.notes]);
  }

  /** The answers stored under a plan, by window index. */
  forPlan(ref: WindowPlanRef): Map<number, WindowAnswer> {
    const answers = this.rows(ref).map((r): WindowAnswer => ({
      outcome: JSON.parse(r.outcome) as WindowAnswer['outcome'],
      found: r.found === null ? null : (JSON.parse(r.found) as WindowAnswer['found']),
      notes: JSON.parse(r.notes) as string[],
    }));
    return new Map(answers.map((a) => [a.outcome.index, a]));
  }

  /** Stores one dense look of a plan (under denseKey); returns false when that look was stored already. */
  storeDense(ref: WindowPlanRef, look: DenseLook): boolean {
    const asked = JSON.stringify({ index: look.index, startS: look.asked.startS, endS: look.asked.endS });
    const notes = look.note === null ? [] : [look.note];
    return this.insert({ ...ref, planKey: denseKey(ref.planKey) }, look.index, [
      asked,
      JSON.stringify(look.refined),
      notes,
    ]);
  }

  /** The dense looks stored under a plan, by merged segment index. */
  denseFor(ref: WindowPlanRef): Map<number, DenseLook> {
    const looks = this.rows({ ...ref, planKey: denseKey(ref.planKey) }).flatMap((r): DenseLook[] => {
      if (r.found === null) return [];
      const { index, startS, endS } = JSON.parse(r.outcome) as { index: number; startS: number; endS: number };
      const note = (JSON.parse(r.notes) as string[])[0] ?? null;
      return [{ index, asked: { startS, endS }, refined: JSON.parse(r.found) as DenseLook['refined'], note }];
    });
    return new Map(looks.map((l) => [l.index, l]));
  }

  /** How many windows of a query are stored (not its dense looks), on one recording or all of them. */
  count(queryId: number, recordingId?: number): number {
    const sql = `SELECT count(*) AS n FROM window_answers WHERE query_id = ? AND ${WINDOWS_ONLY}`;
    const row = (
      recordingId === undefined
        ? this.db.prepare(sql).get(queryId)
        : this.db.prepare(`${sql} AND recording_id = ?`).get(queryId, recordingId)
    ) as { n: number };
    return row.n;
  }

  private insert(ref: WindowPlanRef, index: number, [outcome, found, notes]: [string, string | null, string[]]) {
    const info = this.db
      .prepare(
        `INSERT INTO window_answers (query_id, recording_id, plan_key, window_index, outcome, found, notes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(ref.queryId, ref.recordingId, ref.planKey, index, outcome, found, JSON.stringify(notes), nowIso());
    return info.changes === 1;
  }

  private rows(ref: WindowPlanRef): AnswerRow[] {
    return this.db
      .prepare(
        `SELECT outcome, found, notes FROM window_answers
         WHERE query_id = ? AND recording_id = ? AND plan_key = ? ORDER BY window_index`,
      )
      .all(ref.queryId, ref.recordingId, ref.planKey) as AnswerRow[];
  }
}
