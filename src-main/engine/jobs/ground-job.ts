import type { DiskCache } from '../cache/disk-cache.js';
import { groundRecording } from '../grounding/pipeline.js';
import { LocalBackend } from '../grounding/local-backend.js';
import type { Device } from '../models/devices.js';
import { loadModel } from '../models/loaded.js';
import { checkModelDir } from '../models/manifest.js';
import { getProfile } from '../models/profiles/index.js';
import type { RecordingsRepo } from '../store/recordings.js';
import type { RunsRepo } from '../store/runs.js';
import type { ScansRepo } from '../store/scans.js';
import type { JobHandler } from './queue.js';

export interface GroundPayload {
  recordingId: number;
  query: string;
  modelDir: string;
  device: Device;
  samples: number;
  budgetTokens: number;
}

/** The 'ground' job: the Tempo-R0 pipeline over one recording; the run is stored with its end. */
export function groundJobHandler(
  recordings: RecordingsRepo,
  scans: ScansRepo,
  runs: RunsRepo,
  cache?: DiskCache,
): JobHandler {
  return async ({ job, signal, progress }) => {
    const p = job.payload as GroundPayload;
    const rec = recordings.get(p.recordingId);
    if (!rec) throw new Error(`recording ${p.recordingId} is not in the library`);
    const scan = scans.latest(rec.id, p.budgetTokens) ?? scans.latest(rec.id);
    if (!scan) throw new Error(`recording ${rec.id} has no scan`);
    const check = checkModelDir(p.modelDir);
    if (!check.manifest || !check.complete) throw new Error(`model ${p.modelDir}: ${check.problems.join('; ')}`);
    const profile = getProfile(check.manifest.profile);
    if (!profile) throw new Error(`unknown answer profile ${check.manifest.profile}`);
    const loadStart = performance.now();
    const model = await loadModel(check.dir, check.manifest, p.device, { cache });
    const encoded = { ...model.encoderStats };
    const loadMs = Math.round(performance.now() - loadStart);
    const out = await groundRecording({
      source: { file: rec.path, key: recordings.fingerprint(rec.id) ?? rec.path, sourceFps: rec.fps },
      durationS: rec.durationS,
      query: p.query,
      frames: scan.frames,
      changePoints: scan.changePoints,
      backend: new LocalBackend(model),
      cache,
      profile,
      contextTokens: check.manifest.contextTokens,
      samples: p.samples,
      signal,
      onProgress: progress,
    });
    return () =>
      runs.insert({
        query: p.query,
        recordingId: rec.id,
        modelName: check.manifest?.name ?? model.manifest.name,
        device: p.device,
        scanId: scan.id,
        jobId: job.id,
        windowPlan: out.windows,
        settings: {
          samples: p.samples,
          profile: profile.name,
          modelDir: check.dir,
          budgetTokens: p.budgetTokens,
          notes: out.notes,
        },
        refused: out.refused,
        timings: {
          ...out.timings,
          loadMs,
          framesCached: out.frames.cached,
          framesDecoded: out.frames.decoded,
          imagesEncoded: model.encoderStats.images - encoded.images,
        },
        segments: out.segments.map(({ startS, endS, confidence }) => ({ startS, endS, confidence })),
      });
  };
}
