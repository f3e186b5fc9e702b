/**
 * The estimate of a two-stage query (grounding/two-stage.ts), and what it shares with the
 * one-stage estimate (estimate.ts): the key a target's costs are kept under and a stage's
 * seconds at its stored rates. The candidate model reads every window at its capped frame size;
 * the refining backend reads the share of the frame plans that earlier two-stage runs here sent
 * it (store/costs.ts stageShare), or every window (an upper bound) before any did.
 */
import type { Estimate, RecordingEstimate } from '../../../src-shared/estimate.js';
import type { Engine } from '../engine.js';
import { candidateFrames } from '../grounding/two-stage.js';
import { poolDevice } from '../grounding/server-pool.js';
import { isPool, serverUrls, type GroundTarget, type TwoStagePlan } from '../jobs/ground-target.js';
import { checkModelDir } from '../models/manifest.js';
import type { StoredCost } from '../store/costs.js';
import type { Planned } from './planned-tokens.js';

export interface CostKey {
  model: string;
  device: string;
}

/** The model name and device a run on this target is stored under (and its costs kept under). */
export function costKey(target: GroundTarget): CostKey {
  // As the run will name its device: the server's, or the pool's (grounding/server-pool.ts).
  if (target.kind === 'server')
    return {
      model: target.model,
      device: isPool(target) ? poolDevice(serverUrls(target).length) : `remote ${target.url}`,
    };
  const name = checkModelDir(target.modelDir).manifest?.name ?? target.modelDir;
  return { model: name, device: target.device };
}

/** Whether a stored cost has a measured rate per visual token. */
export const isMeasured = (cost: StoredCost | undefined): cost is StoredCost =>
  cost !== undefined && cost.tokenMs !== null;

/** Seconds of model time and frame decoding for planned visual tokens over minutes of footage at a stored cost. */
export function stageSeconds(tokens: number, minutes: number, cost: StoredCost): number {
  return (tokens * (cost.tokenMs ?? 0) + minutes * (cost.decodeMsPerMin ?? 0)) / 1000;
}

/** Seconds of the scan a recording not scanned yet gets first (none where its cost is not measured). */
export function scanSeconds(p: Planned, scan: StoredCost | undefined): number {
  return p.scanned ? 0 : ((p.rec.durationS / 60) * (scan?.scanMsPerMin ?? 0)) / 1000;
}

/** Says so when the scans a query makes first are not counted (none measured here yet). */
export function scanNote(notes: string[], planned: readonly Planned[], scan: StoredCost | undefined): void {
  if (planned.some((p) => !p.scanned) && (scan?.scanMsPerMin ?? null) === null)
    notes.push('scan time not measured yet on this machine: the scans the query makes first are not counted');
}

/**
 * Each recording's visual tokens at the candidate's frame size (its scan plan capped as the
 * first stage caps it); one not scanned yet at the capped share of the scanned ones' tokens,
 * or, with none scanned, at its full planned tokens (an upper bound, said in a note).
 */
function candidateTokens(planned: readonly Planned[], notes: string[]): number[] {
  const capped = planned.map((p) =>
    p.frames ? candidateFrames(p.frames).frames.reduce((n, f) => n + f.tokens, 0) : null,
  );
  const full = planned.reduce((n, p, i) => n + (capped[i] === null ? 0 : p.tokens), 0);
  const small = capped.reduce<number>((n, c) => n + (c ?? 0), 0);
  const ratio = full > 0 ? small / full : null;
  const unscanned = capped.filter((c) => c === null).length;
  if (unscanned > 0)
    notes.push(
      ratio === null
        ? `the candidate stage of the ${unscanned} not scanned yet is counted at full frame size (an upper bound)`
        : `the candidate stage of the ${unscanned} not scanned yet is counted at ${Math.round(ratio * 100)}% of their visual tokens, as the scanned ones' smaller frames`,
    );
  return planned.map((p, i) => capped[i] ?? Math.round(p.tokens * (ratio ?? 1)));
}

const percent = (x: number) => `${Math.round(x * 100)}%`;

interface Stages {
  cand: CostKey;
  refine: CostKey;
  candCost: StoredCost | undefined;
  refineCost: StoredCost | undefined;
}

/** The notes of a two-stage estimate: a share not seen yet (an upper bound), a stage not measured yet. */
function stageNotes(notes: string[], s: Stages, plan: TwoStagePlan, seen: boolean): void {
  if (!seen)
    notes.push(
      `no two-stage run with ${s.cand.model} refining below ${percent(plan.refineBelow)} and auditing ` +
        `${percent(plan.auditShare)} on this machine yet: the refining stage is counted over every window (an upper bound)`,
    );
  const stages = [
    [s.cand, s.candCost, 'candidate'],
    [s.refine, s.refineCost, 'refining'],
  ] as const;
  for (const [key, cost, stage] of stages)
    if (!isMeasured(cost))
      notes.push(
        `no cost measured yet for ${key.model} on ${key.device} on this machine: the ${stage} stage is not counted`,
      );
}

interface Part {
  candidate: number | null;
  refine: number | null;
  scan: number;
}

/** Each recording's seconds per stage (null: that stage's cost not measured), and its scan's. */
function stageParts(
  planned: readonly Planned[],
  small: readonly number[],
  share: number,
  s: Stages,
  scan: StoredCost | undefined,
): Part[] {
  const { candCost, refineCost } = s;
  return planned.map((p, i) => {
    const minutes = p.rec.durationS / 60;
    return {
      candidate: isMeasured(candCost) ? stageSeconds(small[i] ?? p.tokens, minutes, candCost) : null,
      // The footage decoded for the second stage taken at the same share as its tokens.
      refine: isMeasured(refineCost) ? stageSeconds(share * p.tokens, share * minutes, refineCost) : null,
      scan: scanSeconds(p, scan),
    };
  });
}

/** A stage's seconds over all recordings; null when its cost is not measured. */
function stageTotal(parts: readonly Part[], stage: 'candidate' | 'refine'): number | null {
  return parts.some((x) => x[stage] === null) ? null : parts.reduce((n, x) => n + (x[stage] ?? 0), 0);
}

/**
 * A two-stage query's estimate: per recording, the candidate stage (every window at its capped
 * frame size, at the candidate's measured rates) plus the refining stage (the expected share of
 * the plan's tokens and footage at the refining backend's), plus a scan first where one is needed
 * and measured. A stage whose cost is not measured yet is not counted and a note says so
 * (basis 'partial'); neither measured: basis 'none' and no seconds.
 */
export function estimateTwoStage(
  engine: Engine,
  a: { refine: CostKey; plan: TwoStagePlan; planned: readonly Planned[]; notes: string[] },
): Estimate {
  const { refine, plan, planned, notes } = a;
  const cand = costKey(plan.candidates);
  const s: Stages = {
    cand,
    refine,
    candCost: engine.costs.get(cand.model, cand.device),
    refineCost: engine.costs.get(refine.model, refine.device),
  };
  const seen = engine.costs.stageShare(cand.model, plan.refineBelow, plan.auditShare);
  const share = seen?.share ?? 1;
  const small = candidateTokens(planned, notes);
  stageNotes(notes, s, plan, seen !== undefined);
  const measured = [s.candCost, s.refineCost].filter(isMeasured).length;
  const scan = engine.costs.scan();
  if (measured > 0) scanNote(notes, planned, scan);
  const parts = stageParts(planned, small, share, s, scan);
  const perRecording: RecordingEstimate[] = planned.map((p, i) => {
    const x = parts[i] as Part;
    const seconds = measured > 0 ? (x.candidate ?? 0) + (x.refine ?? 0) + x.scan : null;
    return { recordingId: p.rec.id, seconds, visualTokens: p.tokens, scanned: p.scanned };
  });
  const fullTokens = planned.reduce((n, p) => n + p.tokens, 0);
  const runsOf = (c: StoredCost | undefined) => c?.runs ?? 0;
  return {
    ...refine,
    seconds: measured > 0 ? perRecording.reduce((n, r) => n + (r.seconds ?? 0), 0) : null,
    basis: measured === 2 ? 'measured' : measured === 1 ? 'partial' : 'none',
    runs: runsOf(s.refineCost),
    perRecording,
    notes,
    twoStage: {
      candidate: {
        ...cand,
        seconds: stageTotal(parts, 'candidate'),
        runs: runsOf(s.candCost),
        visualTokens: small.reduce((n, t) => n + t, 0),
      },
      refine: {
        ...refine,
        seconds: stageTotal(parts, 'refine'),
        runs: runsOf(s.refineCost),
        visualTokens: Math.round(share * fullTokens),
        share,
        shareRuns: seen?.runs ?? 0,
      },
    },
  };
}
