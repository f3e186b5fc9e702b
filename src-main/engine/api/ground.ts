import { z } from 'zod';
import type { Job } from '../../../src-shared/jobs.js';
import type { Recording } from '../../../src-shared/recordings.js';
import type { Engine } from '../engine.js';
import { RemoteBackend, RemoteError } from '../grounding/remote-backend.js';
import { checkPerServer, ServerPool } from '../grounding/server-pool.js';
import { groundDedupeKey, type GroundPayload } from '../jobs/ground-job.js';
import { CANDIDATE_SAMPLES, type GroundTarget, type TwoStagePlan } from '../jobs/ground-target.js';
import { checkDevice, DeviceError } from '../models/devices.js';
import { getProfile, PROFILES } from '../models/profiles/index.js';
import { JobFailedError, UsageError } from '../errors.js';
import { resolveModelDir } from './models.js';
import { stagesOf, type RunStages } from './run-stages.js';
import { runJob } from './run-job.js';

import { scanBudget } from '../jobs/scan-job.js';

export type { RunStages } from './run-stages.js';

export const MAX_QUERY_CHARS = 2000;

export interface GroundRequest {
  query: string;
  /** A local model's name or folder; with `server`, the server's model id. */
  model?: string;
  device?: string;
  samples?: number;
  /**
   * Base URL of an OpenAI-compatible model server to ask instead of a local model; several
   * (a list, or comma-separated) make a pool that shares the windows.
   */
  server?: string | readonly string[];
  /** Requests each server of a pool takes at once (1 to 64, default 2); with one server, makes it a pool of one. */
  perServer?: number;
  /** The server's bearer token, for every server of this request and no other URL (kept in memory only). */
  token?: string;
  /** Answer profile of the server's model (default qwen2-vl). */
  profile?: string;
  /** Visual tokens one request to the server may carry (default 8192). */
  contextTokens?: number;
  /**
   * Two-stage grounding: a local model (name or folder) that reads every window first; the
   * refining backend (`refine`, else `server` or `model`) is then asked only where it is unsure.
   */
  candidates?: string;
  /** The refining backend of a two-stage request: model server URL(s), or a local model's name or folder. */
  refine?: string | readonly string[];
  /** Candidates under this confidence are refined (0 to 1, default 0.6); the others kept as they are. */
  refineBelow?: number;
  /** The share of windows the candidate refused that the refining backend audits (0 to 1, default 0.05). */
  auditShare?: number;
  /** The audit's seed; absent: one drawn per run (recorded with it). */
  auditSeed?: number;
  onJob?: (job: Job) => void;
}

export interface GroundResult {
  runId: number;
  query: string;
  recordingId: number;
  model: string;
  device: string;
  refused: boolean;
  segments: { startS: number; endS: number; confidence: number }[];
  timings: Record<string, unknown>;
  /** Servers of a pool that failed while the run went on, one line each; absent when none did. */
  serversLeft?: string[];
  /** A two-stage run's record per stage (jobs/two-stage-run.ts stagesSettings); absent for one stage. */
  stages?: RunStages;
}

/** The model server URLs of a request: every entry split at commas, trimmed, each URL once. */
export function serverList(server: string | readonly string[]): string[] {
  const all = (typeof server === 'string' ? [server] : server).flatMap((s) => s.split(','));
  return [...new Set(all.map((s) => s.trim()).filter((s) => s.length > 0))];
}

/** Checks a query: not blank, under the limit. Returns it trimmed. */
export function checkQuery(query: string): string {
  const q = query.trim();
  if (q.length === 0) throw new UsageError('the query is empty');
  if (q.length >= MAX_QUERY_CHARS)
    throw new UsageError(`the query is too long (${q.length} characters; the limit is ${MAX_QUERY_CHARS - 1})`);
  return q;
}

function localTarget(
  engine: Engine,
  req: Omit<GroundRequest, 'query' | 'onJob'>,
): Extract<GroundTarget, { kind: 'local' }> {
  const modelDir = resolveModelDir(engine, req.model);
  try {
    return { kind: 'local', modelDir, device: checkDevice(req.device ?? 'cpu') };
  } catch (err) {
    if (err instanceof DeviceError) throw new UsageError(err.message);
    throw err;
  }
}

const ENV_TOKEN = 'TEMPO_SERVER_TOKEN';

/**
 * Takes TEMPO_SERVER_TOKEN out of this process's environment (so no later lookup, here or in
 * a job worker started after this, can send it to whatever URL a query names) and keeps it
 * for `url` only: the model server set when a long-running process (tempo serve) starts.
 * Returns the URL it was kept for, or null when there was no token or no URL to keep it for.
 */
export function bindEnvServerToken(engine: Engine, url: string | null | undefined): string | null {
  const token = process.env[ENV_TOKEN];
  delete process.env[ENV_TOKEN];
  if (!token || !url) return null;
  if (!engine.serverTokens.has(url)) engine.setServerToken(url, token);
  return url;
}

/** The profile and context of a server request, checked. */
function serverSettings(req: Omit<GroundRequest, 'query' | 'onJob'>): { profile: string; contextTokens: number } {
  if (req.device !== undefined) throw new UsageError('{device} is for local models; a model server uses its own');
  const profile = req.profile ?? 'qwen2-vl';
  if (!getProfile(profile))
    throw new UsageError(`unknown answer profile '${profile}' (known: ${Object.keys(PROFILES).join(', ')})`);
  const contextTokens = req.contextTokens ?? 8192;
  if (!Number.isInteger(contextTokens) || contextTokens < 64)
    throw new UsageError('{context} must be a whole number of visual tokens, at least 64');
  return { profile, contextTokens };
}

/** Checks the server, or every server of a pool, before any work: reachable, token accepted, model there. */
async function serverTarget(engine: Engine, req: Omit<GroundRequest, 'query' | 'onJob'>): Promise<GroundTarget> {
  const urls = serverList(req.server ?? []);
  const url = urls[0];
  if (url === undefined) throw new UsageError('no model server URL given');
  const settings = serverSettings(req);
  const perServer = req.perServer === undefined ? undefined : checkPerServer(req.perServer);
  if (req.token) for (const u of urls) engine.setServerToken(u, req.token);
  // A token is sent only to the URLs it was given for: --token to this command's servers, the
  // settings' token by URL; TEMPO_SERVER_TOKEN to the --server URLs of this command (tempo
  // serve takes it out of the environment at start: bindEnvServerToken).
  const tokenFor = (u: string) => req.token ?? engine.serverTokens.get(u) ?? process.env[ENV_TOKEN];
  try {
    if (urls.length === 1 && perServer === undefined) {
      const backend = await RemoteBackend.connect({ url, token: tokenFor(url), model: req.model });
      return { kind: 'server', url, model: backend.modelName, ...settings };
    }
    const pool = await ServerPool.connect({ urls, tokenFor, model: req.model, perServer });
    const list = urls.length > 1 ? { urls } : {};
    return { kind: 'server', url, ...list, perServer: pool.perServer, model: pool.modelName, ...settings };
  } catch (err) {
    // Found before any work (not a server, down, another model, a refused token): bad input,
    // exit 2 and a visible message, as the issue of pools asks; a server failing mid-query is not.
    if (err instanceof RemoteError) throw new UsageError(err.template);
    throw err;
  }
}

/** Where and how a query will be asked, checked once before any job starts. */
export interface GroundPlan {
  target: GroundTarget;
  samples: number;
  /** Two-stage grounding: the candidate model first; `target` refines. */
  twoStage?: TwoStagePlan;
}

export const DEFAULT_REFINE_BELOW = 0.6;
export const DEFAULT_AUDIT_SHARE = 0.05;

/** A share or threshold of a request: a number from 0 to 1, the default when not given. */
function unitNumber(value: number | undefined, fallback: number, input: 'refineBelow' | 'auditShare'): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new UsageError(`{${input}} must be a number from 0 to 1`);
  return v;
}

/** Whether a refining backend is named by URL (a model server) rather than as a local model. */
function isUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s.trim());
}

/** The candidate model of a two-stage request, checked installed and complete (one line naming it when not). */
function candidateTarget(engine: Engine, req: Omit<GroundRequest, 'query' | 'onJob'>) {
  try {
    return localTarget(engine, { model: req.candidates, device: req.device });
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`{candidates}: ${err.template}`);
    throw err;
  }
}

/**
 * A two-stage request's plan, checked before any work: the threshold and audit share, the
 * candidate model (installed and complete), then the refining backend as a ground's target
 * (servers reachable with the model, or a local model installed).
 */
async function planTwoStage(engine: Engine, req: Omit<GroundRequest, 'query' | 'onJob'>, samples: number) {
  const refineBelow = unitNumber(req.refineBelow, DEFAULT_REFINE_BELOW, 'refineBelow');
  const auditShare = unitNumber(req.auditShare, DEFAULT_AUDIT_SHARE, 'auditShare');
  if (req.auditSeed !== undefined && !(Number.isInteger(req.auditSeed) && req.auditSeed >= 0))
    throw new UsageError('the audit seed must be a whole number, 0 or more');
  const candidates = candidateTarget(engine, req);
  const refine = req.refine === undefined ? [] : serverList(req.refine);
  if (refine.length > 0 && (req.server !== undefined || req.model !== undefined))
    throw new UsageError('{refine} and {model} or a server both name the refining backend: give one');
  if (refine.length === 0 && req.server === undefined && req.model === undefined)
    throw new UsageError('{candidates} needs a refining backend: {refine URL|MODEL}');
  const urls = refine.length > 0 ? refine.filter(isUrl) : serverList(req.server ?? []);
  if (refine.length > 0 && urls.length > 0 && urls.length < refine.length)
    throw new UsageError('{refine} takes model server URLs or one local model, not both');
  if (refine.length > 1 && urls.length === 0) throw new UsageError('{refine} takes one local model');
  const target: GroundTarget =
    urls.length > 0
      ? await serverTarget(engine, { ...req, server: urls, device: undefined })
      : localTarget(engine, { ...req, model: refine[0] ?? req.model });
  const seed = req.auditSeed === undefined ? {} : { auditSeed: req.auditSeed };
  const twoStage = { candidates, candidateSamples: CANDIDATE_SAMPLES, refineBelow, auditShare, ...seed };
  return { target, samples, twoStage };
}

/** Checks the model (or server), device and samples of a request: usage errors before any work. */
export async function planGround(engine: Engine, req: Omit<GroundRequest, 'query' | 'onJob'>): Promise<GroundPlan> {
  const samples = req.samples ?? 3;
  if (!Number.isInteger(samples) || samples < 1 || samples > 16)
    throw new UsageError('{samples} must be a whole number from 1 to 16');
  if (req.candidates !== undefined) return planTwoStage(engine, req, samples);
  const twoStageOnly = [req.refine, req.refineBelow, req.auditShare, req.auditSeed].some((v) => v !== undefined);
  if (twoStageOnly)
    throw new UsageError('{refine}, {refineBelow} and {auditShare} are for two stages: name {candidates}');
  const target = req.server ? await serverTarget(engine, req) : localTarget(engine, req);
  return { target, samples };
}

/**
 * Finds where a query happens in a recording: checks the query, model and device, scans the
 * recording first if it has no scan, then runs the grounding pipeline as a job and returns
 * the stored run.
 */
export async function groundQuery(engine: Engine, rec: Recording, req: GroundRequest): Promise<GroundResult> {
  const query = checkQuery(req.query);
  const { target, samples, twoStage } = await planGround(engine, req);
  // The newest scan serves; a recording never scanned is scanned by the ground job itself, the
  // scan stored with the run (jobs/scan-job.ts scannedOrFresh).
  const budgetTokens = scanBudget(engine.scans, rec.id);
  const payload: GroundPayload = {
    recordingId: rec.id,
    query,
    target,
    samples,
    budgetTokens,
    ...(twoStage ? { twoStage } : {}),
  };
  // The same ground asked again joins its active job, or takes over one whose process died
  // (kill -9): one query row, one run, no duplicate segments, and nothing left queued to redo it.
  const queued = engine.jobs.enqueue('ground', payload, { recordingId: rec.id, dedupeKey: groundDedupeKey(payload) });
  const job = await runJob(engine, queued, `grounding on recording ${rec.id}`, req.onJob);
  const run = engine.runs.byJob(job.id);
  if (!run) throw new JobFailedError(`grounding job ${job.id} finished without a run`);
  const left = serversLeftOf(run.settings);
  return {
    runId: run.id,
    query: run.query,
    recordingId: run.recordingId,
    model: run.modelName,
    device: run.device,
    refused: run.refused,
    segments: run.segments.map(({ startS, endS, confidence }) => ({ startS, endS, confidence })),
    timings: run.timings,
    ...(left.length > 0 ? { serversLeft: left } : {}),
    ...stagesOf(run.settings),
  };
}

const LeftSettings = z.object({ serversLeft: z.array(z.string()).min(1) });

/** The servers that left a pool during a run, from its stored settings (ground-job.ts); none when none did. */
export function serversLeftOf(settings: Record<string, unknown>): string[] {
  return LeftSettings.safeParse(settings).data?.serversLeft ?? [];
}
