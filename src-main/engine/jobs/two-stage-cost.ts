/**
 * What a finished two-stage run measured, folded into `costs` per stage so that each stays
 * comparable with a one-stage run of the same model: model time per visual token of the frame
 * plan the stage read (not of what it sent, which counts window overlaps and dense looks, as a
 * one-stage rate does not). The candidate stage read every window of the plan at its capped
 * frame size; the refining backend (refine and audit together) read the plan's frames inside
 * the spans it was sent. Those planned tokens are kept with the run (`stages.planned`): the
 * share of a plan the second stage reads is what the next two-stage estimate expects.
 */
import type { Recording } from '../../../src-shared/recordings.js';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import type { Span } from '../../../src-shared/span.js';
import { candidateFrames, type TwoStageRecord } from '../grounding/two-stage.js';
import type { CostsRepo } from '../store/costs.js';
import type { Resolved } from './ground-target.js';
import type { Candidate, StagedOutput } from './two-stage-run.js';

/** Visual tokens of the frame plan: all of it, and what each stage read of it. */
export interface StagePlanned {
  full: number;
  /** Every frame, capped at the candidate's frame size. */
  candidate: number;
  /** The plan's frames inside the refine spans, and inside the audited windows. */
  refine: number;
  audit: number;
}

const sum = (frames: readonly PlannedFrame[]) => frames.reduce((n, f) => n + f.tokens, 0);

/** Tokens of the frames inside the spans, as the second stage cuts them (grounding/windows.ts cutSpans). */
function tokensIn(frames: readonly PlannedFrame[], spans: readonly Span[]): number {
  return spans.reduce((n, s) => n + sum(frames.filter((f) => f.t >= s.startS && f.t < s.endS)), 0);
}

/** The audited first-stage windows as spans (the record keeps their indices). */
function auditSpans(out: StagedOutput, stages: TwoStageRecord): Span[] {
  const byIndex = new Map(out.windows.map((w) => [w.index, w]));
  return stages.audit.audited.flatMap((i) => {
    const w = byIndex.get(i);
    return w ? [{ startS: w.startS, endS: w.endS }] : [];
  });
}

const minutesOf = (spans: readonly Span[]) => spans.reduce((n, s) => n + Math.max(0, s.endS - s.startS), 0) / 60;

/** What each stage of a two-stage run read of its frame plan; null for a one-stage run. */
export function stagePlanned(frames: readonly PlannedFrame[], out: StagedOutput): StagePlanned | null {
  const stages = out.stages;
  if (!stages) return null;
  return {
    full: sum(frames),
    candidate: sum(candidateFrames(frames, stages.candidate.maxPixels).frames),
    refine: tokensIn(frames, stages.refine.spans),
    audit: tokensIn(frames, auditSpans(out, stages)),
  };
}

/** A two-stage run's `stages` settings (two-stage-run.ts stagesSettings) with what each stage read of the plan (`planned`). */
export function withPlanned(
  settings: Record<string, unknown>,
  out: StagedOutput,
  frames: readonly PlannedFrame[] | undefined,
): Record<string, unknown> {
  const planned = frames ? stagePlanned(frames, out) : null;
  const stages = settings['stages'];
  if (!planned || typeof stages !== 'object' || stages === null) return settings;
  return { ...settings, stages: { ...stages, planned } };
}

/**
 * A finished two-stage run's measured costs folded into `costs`: the candidate stage under the
 * candidate model and its device (with the scan the run made first), unless its windows were
 * partly taken from answers stored before (a query taken up after a crash); the refine and
 * audit stages together under the refining backend's model and device, as a one-stage run of
 * it is kept, when they asked anything (they never reuse answers).
 */
export function foldTwoStageCost(
  deps: { costs?: CostsRepo },
  r: Resolved,
  candidate: Candidate,
  a: { out: StagedOutput; frames: readonly PlannedFrame[]; rec: Recording },
  scanMs: number | null,
): void {
  const stages = a.out.stages;
  const planned = stagePlanned(a.frames, a.out);
  if (!deps.costs || !stages || !planned) return;
  if (a.out.reused === 0)
    deps.costs.recordRun(candidate.r.modelName, candidate.r.backend.device, {
      totalMs: stages.candidate.ms,
      decodeMs: stages.candidate.decodeMs,
      plannedTokens: planned.candidate,
      durationS: a.rec.durationS,
      scanMs,
    });
  const tokens = planned.refine + planned.audit;
  if (tokens === 0) return;
  const spans = [...stages.refine.spans, ...auditSpans(a.out, stages)];
  deps.costs.recordRun(r.modelName, r.backend.device, {
    totalMs: stages.refine.ms + stages.audit.ms,
    decodeMs: stages.refine.decodeMs + stages.audit.decodeMs,
    plannedTokens: tokens,
    durationS: minutesOf(spans) * 60,
  });
}
