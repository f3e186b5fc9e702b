import { z } from 'zod';
import type { DiskCache } from '../cache/disk-cache.js';
import type { GroundingBackend } from '../grounding/backend.js';
import { LocalBackend } from '../grounding/local-backend.js';
import { RemoteBackend } from '../grounding/remote-backend.js';
import { DEVICES } from '../models/devices.js';
import { loadModel } from '../models/loaded.js';
import { checkModelDir } from '../models/manifest.js';

/** Where a ground job's questions go: a local model folder on a device, or a model server. */
export const GroundTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local'), modelDir: z.string().min(1), device: z.enum(DEVICES) }),
  z.object({
    kind: z.literal('server'),
    url: z.string().min(1),
    model: z.string().min(1),
    profile: z.string().min(1),
    contextTokens: z.number().int().positive(),
  }),
]);
export type GroundTarget = z.infer<typeof GroundTarget>;

/** What resolving a target needs: the frame cache and the model servers' tokens (never in a payload). */
export interface TargetDeps {
  cache?: DiskCache;
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
}

/** Loads the local model (once per process) or connects to the server of a target. */
export async function resolveTarget(deps: TargetDeps, t: GroundTarget): Promise<Resolved> {
  const start = performance.now();
  if (t.kind === 'server') {
    const token = deps.serverTokens.get(t.url) ?? process.env['TEMPO_SERVER_TOKEN'];
    const backend = await RemoteBackend.connect({ url: t.url, token, model: t.model });
    return {
      backend,
      profileName: t.profile,
      contextTokens: t.contextTokens,
      modelName: backend.modelName,
      settings: { server: t.url },
      loadMs: Math.round(performance.now() - start),
      encodedBefore: () => 0,
    };
  }
  const check = checkModelDir(t.modelDir);
  if (!check.manifest || !check.complete) throw new Error(`model ${t.modelDir}: ${check.problems.join('; ')}`);
  const model = await loadModel(check.dir, check.manifest, t.device, { cache: deps.cache });
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
