import { z } from 'zod';
import type { DiskCache } from '../cache/disk-cache.js';
import type { GroundingBackend } from '../grounding/backend.js';
import { LocalBackend } from '../grounding/local-backend.js';
import { RemoteBackend } from '../grounding/remote-backend.js';
import { MAX_PER_SERVER, ServerPool } from '../grounding/server-pool.js';
import { DEVICES } from '../models/devices.js';
import { loadModel } from '../models/loaded.js';
import { checkModelDir } from '../models/manifest.js';

/** A local model folder on a device (also the candidate model of a two-stage run). */
const LocalTarget = z.object({ kind: z.literal('local'), modelDir: z.string().min(1), device: z.enum(DEVICES) });

/**
 * Where a ground job's questions go: a local model folder on a device, or model servers: one,
 * or a pool sharing the windows (`urls`, `perServer` requests at a time on each). Payloads
 * stored before pools have `url` only, which stays the first server of every payload.
 */
export const GroundTarget = z.discriminatedUnion('kind', [
  LocalTarget,
  z.object({
    kind: z.literal('server'),
    url: z.string().min(1),
    /** Every server, `url` first; absent: `url` alone. */
    urls: z.array(z.string().min(1)).min(1).optional(),
    /** Requests at once on each server; present: the servers are asked as a pool (ServerPool). */
    perServer: z.number().int().min(1).max(MAX_PER_SERVER).optional(),
    model: z.string().min(1),
    profile: z.string().min(1),
    contextTokens: z.number().int().positive(),
  }),
]);
export type GroundTarget = z.infer<typeof GroundTarget>;

/** Answers per window of a two-stage run's first stage: a candidate model answers twice (the refining backend the samples asked). */
export const CANDIDATE_SAMPLES = 2;

/**
 * Two-stage grounding (grounding/two-stage.ts): a local candidate model reads every window
 * first; the job's `target` is then the refining backend, sent only the windows around
 * candidates under `refineBelow` and an `auditShare` of the windows the candidate refused.
 */
export const TwoStagePlan = z.object({
  candidates: LocalTarget,
  candidateSamples: z.number().int().positive(),
  refineBelow: z.number().min(0).max(1),
  auditShare: z.number().min(0).max(1),
  /** The audit's seed; absent: one drawn per run (and recorded with it). */
  auditSeed: z.number().int().nonnegative().optional(),
});
export type TwoStagePlan = z.infer<typeof TwoStagePlan>;
type ServerTarget = Extract<GroundTarget, { kind: 'server' }>;

/** The servers of a server target, the first one first. */
export function serverUrls(t: ServerTarget): string[] {
  return t.urls ?? [t.url];
}

/**
 * Whether a server target is asked through a pool: several servers, or requests per server
 * named for one; one server without it is asked as ever (RemoteBackend, its own retries).
 */
export function isPool(t: ServerTarget): boolean {
  return serverUrls(t).length > 1 || t.perServer !== undefined;
}

/** What resolving a target needs: the frame cache and the model servers' tokens (never in a payload). */
export interface TargetDeps {
  cache?: DiskCache;
  /** Where local models keep prompt prefixes' KV caches (none: in memory). */
  prefixCache?: DiskCache;
  /** Tokens of model servers by URL; never stored in the job's payload. */
  serverTokens: ReadonlyMap<string, string>;
}

/** A ground target made ready: its backend and how to ask it. */
export interface Resolved {
  backend: GroundingBackend;
  profileName: string;
  contextTokens: number;
  modelName: string;
  settings: Record<string, unknown>;
  loadMs: number;
  encodedBefore: () => number;
  /** Servers of a pool that left it while the run went on, one line each ("model server URL left the pool: why"). */
  serversLeft?: () => string[];
}

/**
 * Connects to the server, or to every server of a pool (tokens by URL: each only to its own).
 * A server that leaves the pool is said to `note` at once, with how many are left.
 */
async function resolveServer(
  deps: TargetDeps,
  t: ServerTarget,
  start: number,
  note?: (line: string) => void,
): Promise<Resolved> {
  const urls = serverUrls(t);
  const tokenFor = (url: string) => deps.serverTokens.get(url) ?? process.env['TEMPO_SERVER_TOKEN'];
  const base = { profileName: t.profile, contextTokens: t.contextTokens, encodedBefore: () => 0 };
  if (!isPool(t)) {
    const url = urls[0] as string;
    const backend = await RemoteBackend.connect({ url, token: tokenFor(url), model: t.model });
    const loadMs = Math.round(performance.now() - start);
    return { ...base, backend, modelName: backend.modelName, settings: { server: url }, loadMs };
  }
  const left: string[] = [];
  const failed = (url: string, why: string, live: number) => {
    const line = `model server ${url} left the pool: ${why}`;
    left.push(line);
    note?.(`${line}; ${live} left`);
  };
  const pool = await ServerPool.connect({ urls, tokenFor, model: t.model, perServer: t.perServer, events: { failed } });
  return {
    ...base,
    backend: pool,
    modelName: pool.modelName,
    settings: { server: urls[0], servers: urls, perServer: pool.perServer },
    loadMs: Math.round(performance.now() - start),
    serversLeft: () => [...left],
  };
}

/**
 * Loads the local model (once per process) or connects to the server (or pool of servers) of a
 * target; `note` hears each server that leaves the pool as it leaves (JobContext.note).
 */
export async function resolveTarget(
  deps: TargetDeps,
  t: GroundTarget,
  note?: (line: string) => void,
): Promise<Resolved> {
  const start = performance.now();
  if (t.kind === 'server') return resolveServer(deps, t, start, note);
  const check = checkModelDir(t.modelDir);
  if (!check.manifest || !check.complete) throw new Error(`model ${t.modelDir}: ${check.problems.join('; ')}`);
  const model = await loadModel(check.dir, check.manifest, t.device, {
    cache: deps.cache,
    prefixCache: deps.prefixCache,
  });
  const before = model.encoderStats.images;
  return {
    backend: new LocalBackend(model),
    profileName: check.manifest.profile,
    contextTokens: check.manifest.contextTokens,
    modelName: check.manifest.name,
    settings: { modelDir: check.dir },
    loadMs: Math.round(performance.now() - start),
    encodedBefore: () => model.encoderStats.images - before,
  };
}
