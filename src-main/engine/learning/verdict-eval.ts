import { z } from 'zod';
import type { QualityScore } from '../../../src-shared/quality.js';
import { iou, type Span } from '../../../src-shared/span.js';
import type { DB } from '../store/db.js';
import { pairKey, ReviewedRepo, type ReviewedVerdict, type RunSegment } from '../store/reviewed.js';
import { RunsRepo } from '../store/runs.js';
import { mean } from './metrics.js';
import { reliability } from './reliability.js';

/** A model answer counts as finding a moment at this IoU or more. */
const HIT_IOU = 0.5;

/** The operator's truth for one (query text, recording): the moments, or none (the event is absent). */
interface Truth {
  query: string;
  recordingId: number;
  moments: Span[];
}

/** How one model does on the library's own reviewed set (the CLI's name for the contract's QualityScore). */

export interface VerdictEval {
  /** Reviewed pairs with a known truth, and those whose verdicts say nothing either way (only wrong-time/partly). */
  pairs: number;
  unknown: number;
  models: QualityScore[];
}

/** The truth of each reviewed pair: standing accepted/adjusted/added spans, else absent when a not-present rejection stands. */
function truths(verdicts: readonly ReviewedVerdict[]): { known: Map<string, Truth>; unknown: number } {
  const all = new Map<string, { t: Truth; notPresent: boolean }>();
  for (const v of verdicts) {
    const key = pairKey(v.query, v.recordingId);
    const e = all.get(key) ?? { t: { query: v.query, recordingId: v.recordingId, moments: [] }, notPresent: false };
    if (v.span) e.t.moments.push(v.span);
    if (v.verdict === 'reject' && v.reason === 'not-present') e.notPresent = true;
    all.set(key, e);
  }
  const known = new Map<string, Truth>();
  let unknown = 0;
  for (const [key, e] of all) {
    if (e.t.moments.length > 0 || e.notPresent) known.set(key, e.t);
    else unknown += 1;
  }
  return { known, unknown };
}

const best = (s: Span, moments: readonly Span[]) => Math.max(0, ...moments.map((m) => iou(s, m)));
const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/** Seconds covered by the union of spans, within [0, durationS]. */
export function unionSeconds(spans: readonly Span[], durationS: number): number {
  const sorted = spans
    .map((s) => ({ startS: Math.max(0, s.startS), endS: Math.min(durationS, s.endS) }))
    .filter((s) => s.endS > s.startS)
    .sort((a, b) => a.startS - b.startS);
  let total = 0;
  let cur: Span | null = null;
  for (const s of sorted) {
    if (cur && s.startS <= cur.endS) cur.endS = Math.max(cur.endS, s.endS);
    else {
      if (cur) total += cur.endS - cur.startS;
      cur = { ...s };
    }
  }
  return total + (cur ? cur.endS - cur.startS : 0);
}

const AuditSettings = z.object({
  stages: z.object({ audit: z.object({ audited: z.array(z.number()), found: z.number().int().nonnegative() }) }),
});

/**
 * The audits of a model's two-stage runs on the reviewed pairs (its newest run of each, as
 * scored: jobs/two-stage-run.ts stagesSettings); nothing when none of them is two-stage.
 */
function audits(
  repo: ReviewedRepo,
  runs: RunsRepo,
  model: string,
  known: Map<string, Truth>,
): Pick<QualityScore, 'audit'> {
  const newest = repo.newestRuns(model);
  const runIds = [...known.keys()].flatMap((key) => newest.get(key)?.runId ?? []);
  let n = 0;
  let audited = 0;
  let found = 0;
  for (const id of runIds) {
    const got = AuditSettings.safeParse(runs.get(id)?.settings);
    if (!got.success) continue;
    n += 1;
    audited += got.data.stages.audit.audited.length;
    found += got.data.stages.audit.found;
  }
  return n === 0 ? {} : { audit: { runs: n, audited, found, share: ratio(found, audited) } };
}

function scoreModel(repo: ReviewedRepo, model: string, known: Map<string, Truth>): QualityScore {
  const runs = repo.newestRuns(model);
  const segs = new Map<number, RunSegment[]>();
  const segmentsOf = (runId: number) => {
    if (!segs.has(runId)) segs.set(runId, repo.runSegments(runId));
    return segs.get(runId) as RunSegment[];
  };
  const top: number[] = [];
  const refusals: { absent: boolean; refused: boolean }[] = [];
  const calib: { p: number; y: number }[] = [];
  let found = 0;
  let moments = 0;
  const queries = new Set<string>();
  for (const [key, truth] of known) {
    const run = runs.get(key);
    if (!run) continue;
    queries.add(truth.query);
    const s = segmentsOf(run.runId);
    const absent = truth.moments.length === 0;
    refusals.push({ absent, refused: s.length === 0 });
    if (!absent) top.push(s[0] ? best(s[0], truth.moments) : 0);
    for (const seg of s)
      if (seg.confidence !== null) calib.push({ p: seg.confidence, y: best(seg, truth.moments) >= HIT_IOU ? 1 : 0 });
    moments += truth.moments.length;
    found += truth.moments.filter((m) => s.some((seg) => iou(seg, m) >= HIT_IOU)).length;
  }
  let footageS = 0;
  let watchedS = 0;
  let recordings = 0;
  for (const run of runs.values()) {
    if (!queries.has(run.query)) continue;
    recordings += 1;
    footageS += run.durationS;
    watchedS += unionSeconds(segmentsOf(run.runId), run.durationS);
  }
  const tp = refusals.filter((r) => r.refused && r.absent).length;
  const refused = refusals.filter((r) => r.refused).length;
  const absent = refusals.filter((r) => r.absent).length;
  return {
    model,
    n: refusals.length,
    present: top.length,
    absent,
    r1At05: mean(top.map((x) => (x >= HIT_IOU ? 1 : 0))),
    mIoU: mean(top),
    refusal: { refused, precision: ratio(tp, refused), recall: ratio(tp, absent) },
    ece: reliability(calib).ece,
    segments: calib.length,
    reviewLoad: {
      queries: queries.size,
      recordings,
      footageS,
      watchedS,
      share: ratio(watchedS, footageS),
      recall: ratio(found, moments),
      moments,
    },
  };
}

/**
 * Scores models on the library's own reviewed set: for every reviewed (query text, recording)
 * with a known truth, each model's newest run of that query text on that recording. A model
 * that never ran the reviewed queries gets n = 0. No model names: every model with runs.
 * `until` (an ISO time): only the standing verdicts given before it make the reviewed set.
 */
export function verdictEval(
  store: { db: DB },
  modelNames: readonly string[] = [],
  opts: { until?: string } = {},
): VerdictEval {
  const repo = new ReviewedRepo(store.db);
  const { until } = opts;
  const { known, unknown } = truths(
    until === undefined ? repo.standing() : repo.standing().filter((v) => v.verdictAt < until),
  );
  const names = modelNames.length > 0 ? modelNames : repo.modelNames();
  const runs = new RunsRepo(store.db);
  const models = names.map((m) => ({ ...scoreModel(repo, m, known), ...audits(repo, runs, m, known) }));
  return { pairs: known.size, unknown, models };
}
