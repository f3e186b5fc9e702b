import type { PlannedFrame } from '../../../../src-shared/scans.js';
import type { Span } from '../../../../src-shared/span.js';
import { pairKey, type ReviewedRepo, type ReviewedVerdict, type RunContext } from '../../store/reviewed.js';

/**
 * One training sample (a line of the grpo format), made from one standing verdict. Keys are
 * always written in this order, so the same verdicts give the same bytes.
 */
export interface TrainingRecord {
  verdictId: number;
  segmentId: number;
  queryId: number;
  recordingId: number;
  runId: number | null;
  video: string;
  durationS: number;
  query: string;
  /** The target: the moment's span, or null when the event is absent from `clip` (a refusal sample). */
  answer: Span | null;
  /** The stretch of the recording the sample is about: the whole recording for a span sample. */
  clip: Span;
  /** The SAA frame plan of the run's scan, frames inside `clip`; null when the run had no stored scan. */
  framePlan: PlannedFrame[] | null;
  verdict: { kind: ReviewedVerdict['verdict']; reason: ReviewedVerdict['reason']; source: string; at: string };
  /** What the model said (null for a moment it missed) and its own confidence. */
  modelSpan: Span | null;
  modelConfidence: number | null;
  model: string | null;
  profile: string | null;
}

/** Why a standing verdict gives no sample. */
export type SkipReason = 'wrong-time' | 'partly' | 'refusal-overlaps-moment';

export interface Selection {
  records: TrainingRecord[];
  skipped: Record<SkipReason, number>;
}

/** The run windows that overlap a span, as one stretch; the span itself when the run has no windows there. */
function clipAround(span: Span, run: RunContext | undefined): Span {
  const over = (run?.windows ?? []).filter((w) => w.endS > span.startS && w.startS < span.endS);
  if (over.length === 0) return { startS: span.startS, endS: span.endS };
  return { startS: Math.min(...over.map((w) => w.startS)), endS: Math.max(...over.map((w) => w.endS)) };
}

const overlaps = (a: Span, b: Span) => Math.min(a.endS, b.endS) > Math.max(a.startS, b.startS);

/**
 * The samples of standing verdicts, oldest verdict first:
 *  - accept, adjust, add: a span sample (the accepted, adjusted or added bounds) over the whole recording;
 *  - reject "not-present": a refusal sample (answer null) over the run's windows that held the
 *    rejected segment, unless a standing moment of the same query and recording overlaps them
 *    (then the event is there after all, and the verdict is skipped);
 *  - reject "wrong-time" or "partly": skipped (they say where the event is not, not where it is).
 */
export function selectRecords(
  repo: ReviewedRepo,
  verdicts: readonly ReviewedVerdict[],
  /** Every standing verdict (not only those to export): the moments a refusal is checked against. */
  standing: readonly ReviewedVerdict[] = verdicts,
): Selection {
  const runs = new Map<number, RunContext | undefined>();
  const run = (id: number | null) => {
    if (id === null) return undefined;
    if (!runs.has(id)) runs.set(id, repo.run(id));
    return runs.get(id);
  };
  const frames = new Map<number, PlannedFrame[] | null>();
  const scanFrames = (id: number) => {
    if (!frames.has(id)) frames.set(id, repo.scanFrames(id));
    return frames.get(id) ?? null;
  };
  // Moments the operator stands by, per (query text, recording): a refusal must not overlap one.
  const moments = new Map<string, Span[]>();
  for (const v of standing) {
    if (v.span)
      moments.set(pairKey(v.query, v.recordingId), [...(moments.get(pairKey(v.query, v.recordingId)) ?? []), v.span]);
  }
  const out: Selection = { records: [], skipped: { 'wrong-time': 0, partly: 0, 'refusal-overlaps-moment': 0 } };
  for (const v of verdicts) {
    if (v.verdict === 'reject' && v.reason !== 'not-present') {
      out.skipped[v.reason ?? 'wrong-time'] += 1;
      continue;
    }
    const r = run(v.runId);
    const clip = v.span ? { startS: 0, endS: v.durationS } : clipAround(v.rejectedSpan ?? (v.modelSpan as Span), r);
    if (!v.span && (moments.get(pairKey(v.query, v.recordingId)) ?? []).some((m) => overlaps(m, clip))) {
      out.skipped['refusal-overlaps-moment'] += 1;
      continue;
    }
    const plan = r?.scanId == null ? null : scanFrames(r.scanId);
    out.records.push({
      verdictId: v.verdictId,
      segmentId: v.segmentId,
      queryId: v.queryId,
      recordingId: v.recordingId,
      runId: v.runId,
      video: v.video,
      durationS: v.durationS,
      query: v.query,
      answer: v.span ? { startS: v.span.startS, endS: v.span.endS } : null,
      clip,
      framePlan: plan ? plan.filter((f) => f.t >= clip.startS && f.t <= clip.endS) : null,
      verdict: { kind: v.verdict, reason: v.reason, source: v.source, at: v.verdictAt },
      modelSpan: v.modelSpan,
      modelConfidence: v.rawConfidence,
      model: r?.modelName ?? null,
      profile: r?.profile ?? null,
    });
  }
  return out;
}
