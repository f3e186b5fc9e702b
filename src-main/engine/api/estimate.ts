import type { Estimate, EstimateInput, RecordingEstimate } from '../../../src-shared/estimate.js';
import type { Engine } from '../engine.js';
import { poolDevice } from '../grounding/server-pool.js';
import { isPool, serverUrls } from '../jobs/ground-target.js';
import { checkModelDir } from '../models/manifest.js';
import type { StoredCost } from '../store/costs.js';
import { planGround } from './ground.js';
import { planAll, type Planned } from './planned-tokens.js';
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
}

/** The model name and device a run with this request would be stored under (and its costs kept under). */
async function costKey(engine: Engine, req: EstimateRequest): Promise<{ model: string; device: string }> {
  const { target } = await planGround(engine, req);
  // As the run will name its device: the server's, or the pool's (grounding/server-pool.ts).
  if (target.kind === 'server')
    return {
      model: target.model,
      device: isPool(target) ? poolDevice(serverUrls(target).length) : `remote ${target.url}`,
    };
  const name = checkModelDir(target.modelDir).manifest?.name ?? target.modelDir;
  return { model: name, device: target.device };
}

/** Seconds one recording takes at the stored rates; a scan first where it has none (when its cost is known). */
function recordingSeconds(p: Planned, cost: StoredCost, scan: StoredCost | undefined): number | null {
  if (cost.tokenMs === null) return null;
  const minutes = p.rec.durationS / 60;
  const scanMs = p.scanned ? 0 : minutes * (scan?.scanMsPerMin ?? 0);
  return (p.tokens * cost.tokenMs + minutes * (cost.decodeMsPerMin ?? 0) + scanMs) / 1000;
}

/**
 * How long a query over some recordings (none listed: the whole library) will take on this
 * machine with a model and device (or a model server; none named: the settings', as `query.run`
 * asks): each recording's planned visual tokens times the costs measured here by earlier runs
 * of that model on that device. Where nothing is measured yet it says so (basis 'none'), and
 * invents nothing. Checks the model and device as a query would, and runs nothing.
 */
export async function estimateQuery(engine: Engine, req: EstimateRequest): Promise<Estimate> {
  const recs = queryRecordings(engine, req.recordingIds);
  const { model, device } = await costKey(engine, req);
  const cost = engine.costs.get(model, device);
  const notes: string[] = [];
  const planned = planAll(engine, recs, notes);
  const measured = cost !== undefined && cost.tokenMs !== null;
  const scan = engine.costs.scan();
  if (measured && planned.some((p) => !p.scanned) && (scan?.scanMsPerMin ?? null) === null)
    notes.push('scan time not measured yet on this machine: the scans the query makes first are not counted');
  const perRecording: RecordingEstimate[] = planned.map((p) => ({
    recordingId: p.rec.id,
    seconds: measured ? recordingSeconds(p, cost, scan) : null,
    visualTokens: p.tokens,
    scanned: p.scanned,
  }));
  const seconds = measured ? perRecording.reduce((sum, r) => sum + (r.seconds ?? 0), 0) : null;
  return { model, device, seconds, basis: measured ? 'measured' : 'none', runs: cost?.runs ?? 0, perRecording, notes };
}

/** The `query.estimate` call: the model and device given, else the settings' (model, device or server). */
export function estimateCall(engine: Engine, input: EstimateInput): Promise<Estimate> {
  const s = settingsRequest(engine);
  const explicit = input.model !== undefined || input.device !== undefined;
  const base = explicit ? { model: input.model ?? s.model, device: input.device ?? engine.settings.get().device } : s;
  return estimateQuery(engine, { ...base, recordingIds: input.recordingIds });
}
