import { createHash } from 'node:crypto';
import type { Recording } from '../../../src-shared/recordings.js';
import type { PlannedFrame } from '../../../src-shared/scans.js';
import type { DiskCache } from '../cache/disk-cache.js';
import type { GroundingBackend } from '../grounding/backend.js';
import { LocalBackend } from '../grounding/local-backend.js';
import { ensureCurrentFile } from '../media/changes.js';
import { groundRecording, type GroundOutput } from '../grounding/pipeline.js';
import { RemoteBackend } from '../grounding/remote-backend.js';
import type { Device } from '../models/devices.js';
import { loadModel } from '../models/loaded.js';
import { checkModelDir } from '../models/manifest.js';
import { getProfile, type AnswerProfile } from '../models/profiles/index.js';
import type { RecordingsRepo } from '../store/recordings.js';
import type { RunsRepo } from '../store/runs.js';
import type { ScansRepo } from '../store/scans.js';
import type { JobHandler } from './queue.js';
import { analyseForStore } from './scan-job.js';

/** Where a ground job's questions go: a local model folder on a device, or a model server. */
export type GroundTarget =
  | { kind: 'local'; modelDir: string; device: Device }
  | { kind: 'server'; url: string; model: string; profile: string; contextTokens: number };

export interface GroundPayload {
  recordingId: number;
  query: string;
  /** The query row the run belongs to (one query over several recordings); a new one when absent. */
  queryId?: number;
  target: GroundTarget;
  samples: number;
  budgetTokens: number;
}

/**
 * One key per ground asked: the recording, query, query row, model or server and settings. A
 * rerun of the same ground (after kill -9, or from a second terminal) joins or takes over the
 * active job holding it instead of queueing a second one that would write the run twice.
 */
export function groundDedupeKey(p: GroundPayload): string {
  const t = p.target;
  const target =
    t.kind === 'local'
      ? { kind: t.kind, modelDir: t.modelDir, device: t.device }
      : { kind: t.kind, url: t.url, model: t.model, profile: t.profile, contextTokens: t.contextTokens };
  const what = JSON.stringify([p.query, p.queryId ?? null, target, p.samples, p.budgetTokens]);
  return `ground:${p.recordingId}:${createHash('sha256').update(what).digest('hex').slice(0, 32)}`;
}

export interface GroundJobDeps {
  recordings: RecordingsRepo;
  scans: ScansRepo;
  runs: RunsRepo;
  cache?: DiskCache;
  /** Tokens of model servers by URL; never stored in the job's payload. */
  serverTokens: ReadonlyMap<string, string>;
  /** A model's confidence calibrator, when it has one (learning/calibration.ts calibratorFor). */
  calibration?: (modelName: string) => { apply: (confidence: number) => number; info: unknown } | null;
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
export async function resolveTarget(deps: GroundJobDeps, t: GroundTarget): Promise<Resolved> {
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

/** Runs the grounding pipeline over a recording's frame plan with a resolved target (ground and eval jobs). */
export async function groundOnPlan(a: {
  rec: Recording;
  sourceKey: string;
  plan: { frames: readonly PlannedFrame[]; changePoints: readonly number[] };
  target: Resolved;
  query: string;
  samples: number;
  cache?: DiskCache;
  signal: AbortSignal;
  onProgress: (fraction: number) => void;
}): Promise<{ out: GroundOutput; profile: AnswerProfile }> {
  const profile = getProfile(a.target.profileName);
  if (!profile) throw new Error(`unknown answer profile ${a.target.profileName}`);
  const out = await groundRecording({
    source: { file: a.rec.path, key: a.sourceKey, sourceFps: a.rec.fps },
    durationS: a.rec.durationS,
    query: a.query,
    frames: a.plan.frames,
    changePoints: a.plan.changePoints,
    backend: a.target.backend,
    cache: a.cache,
    profile,
    contextTokens: a.target.contextTokens,
    samples: a.samples,
    signal: a.signal,
    onProgress: a.onProgress,
  });
  return { out, profile };
}

/** The 'ground' job: the Tempo-R0 pipeline over one recording; the run is stored with its end. */
export function groundJobHandler(deps: GroundJobDeps): JobHandler {
  return async ({ job, signal, progress }) => {
    const p = job.payload as GroundPayload;
    // A file changed since it was read (replaced, or still being written at import) is read again
    // first: its old scan is dropped and frames cached under its old fingerprint are not used.
    await ensureCurrentFile(deps.recordings, p.recordingId);
    const rec = deps.recordings.get(p.recordingId);
    if (!rec) throw new Error(`recording ${p.recordingId} is not in the library`);
    const stored = deps.scans.latest(rec.id, p.budgetTokens) ?? deps.scans.latest(rec.id);
    // Not scanned yet: scan first (the first third of the progress), stored with this job's end.
    const fresh = stored
      ? null
      : await analyseForStore(rec, p.budgetTokens, deps.scans, null, signal, (f) => progress(f / 3));
    const plan = stored ?? (fresh as { frames: PlannedFrame[]; changePoints: number[] });
    const r = await resolveTarget(deps, p.target);
    const { out, profile } = await groundOnPlan({
      rec,
      sourceKey: deps.recordings.fingerprint(rec.id) ?? rec.path,
      plan,
      target: r,
      query: p.query,
      samples: p.samples,
      cache: deps.cache,
      signal,
      onProgress: fresh ? (f) => progress(1 / 3 + (2 / 3) * f) : progress,
    });
    const imagesEncoded = r.encodedBefore();
    return () => {
      // Read at the end, so a calibrator fitted while the job ran applies; the model's own confidence is kept.
      const cal = deps.calibration?.(r.modelName) ?? null;
      return deps.runs.insert({
        query: p.query,
        queryId: p.queryId,
        recordingId: rec.id,
        modelName: r.modelName,
        device: r.backend.device,
        scanId: stored ? stored.id : (fresh as { write: () => number }).write(),
        jobId: job.id,
        windowPlan: out.windows,
        settings: {
          ...r.settings,
          samples: p.samples,
          profile: profile.name,
          budgetTokens: p.budgetTokens,
          contextTokens: r.contextTokens,
          pairFrames: r.backend.pairsFrames,
          notes: out.notes,
          calibration: cal?.info ?? null,
        },
        refused: out.refused,
        timings: {
          ...out.timings,
          loadMs: r.loadMs,
          framesCached: out.frames.cached,
          framesDecoded: out.frames.decoded,
          imagesEncoded,
        },
        segments: out.segments.map(({ startS, endS, confidence }) => ({
          startS,
          endS,
          confidence: cal ? cal.apply(confidence) : confidence,
          rawConfidence: confidence,
        })),
      });
    };
  };
}
