import type { Estimate, EstimateInput, RecordingEstimate } from '../../../src-shared/estimate.js';
import type { Engine } from '../engine.js';
import { costKey, estimateTwoStage, isMeasured, scanNote, scanSeconds, stageSeconds } from './estimate-stages.js';
import { planGround } from './ground.js';
import { planAll } from './planned-tokens.js';
import { queryRecordings, settingsRequest } from './queries.js';

/** What an estimate is for: the model and device (or model server) whose measured costs apply. */
export interface EstimateRequest {
  recordingIds: readonly number[];
  model?: string;
  device?: string;
  /** A model server, or several (a pool). */
  server?: string | readonly string[];
  perServer?: number;
  token?: string;
  profile?: string;
  contextTokens?: number;
  /** Two stages: the candidate model first, the refining backend (`refine`, else the model or server) after. */
  candidates?: string;
  refine?: string | readonly string[];
  refineBelow?: number;
  auditShare?: number;
}

/**
 * How long a query over some recordings (none listed: the whole library) will take on this
 * machine with a model and device (or a model server; none named: the settings', as `query.run`
 * asks): each recording's planned visual tokens times the costs measured here by earlier runs
 * of that model on that device; a two-stage request, each stage at its own (estimate-stages.ts).
 * Where nothing is measured yet it says so (basis 'none'), and invents nothing. Checks the model
 * and device as a query would, and runs nothing.
 */
export async function estimateQuery(engine: Engine, req: EstimateRequest): Promise<Estimate> {
  const recs = queryRecordings(engine, req.recordingIds);
  const plan = await planGround(engine, req);
  const { model, device } = costKey(plan.target);
  const notes: string[] = [];
  const planned = planAll(engine, recs, notes);
  // Two stages: the candidate model's part and the refining backend's, each at its own costs.
  if (plan.twoStage)
    return estimateTwoStage(engine, { refine: { model, device }, plan: plan.twoStage, planned, notes });
  const cost = engine.costs.get(model, device);
  const measured = isMeasured(cost);
  const scan = engine.costs.scan();
  if (measured) scanNote(notes, planned, scan);
  const perRecording: RecordingEstimate[] = planned.map((p) => ({
    recordingId: p.rec.id,
    seconds: measured ? stageSeconds(p.tokens, p.rec.durationS / 60, cost) + scanSeconds(p, scan) : null,
    visualTokens: p.tokens,
    scanned: p.scanned,
  }));
  const seconds = measured ? perRecording.reduce((sum, r) => sum + (r.seconds ?? 0), 0) : null;
  return { model, device, seconds, basis: measured ? 'measured' : 'none', runs: cost?.runs ?? 0, perRecording, notes };
}

/**
 * The `query.estimate` call: the model and device given (one stage), else as `query.run` asks:
 * the settings' model, device or server, in two stages when they name a candidate model.
 */
export function estimateCall(engine: Engine, input: EstimateInput): Promise<Estimate> {
  const s = settingsRequest(engine);
  const explicit = input.model !== undefined || input.device !== undefined;
  const base = explicit ? { model: input.model ?? s.model, device: input.device ?? engine.settings.get().device } : s;
  return estimateQuery(engine, { ...base, recordingIds: input.recordingIds });
}
