import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Recording } from '../../../src-shared/recordings.js';
import { EVAL_FORMATS, readAnnotations, type EvalFormat, type EvalItem } from '../learning/datasets/index.js';
import { appendPrediction, resumePredictions } from '../learning/prediction-file.js';
import type { PredictionLine } from '../learning/predictions.js';
import { findVideo } from '../learning/videos.js';
import { fingerprint } from '../media/files.js';
import { MediaError } from '../media/tools.js';
import type { DiskCache } from '../cache/disk-cache.js';
import { JobCancelledError } from '../errors.js';
import type { ScansRepo } from '../store/scans.js';
import { groundOnPlan } from './ground-job.js';
import { GroundTarget, resolveTarget, type Resolved } from './ground-target.js';
import { importFiles, type ImportDeps } from './import-job.js';
import type { JobHandler } from './job-handler.js';
import { scannedOrFresh } from './scan-job.js';

/** Everything an 'eval' job needs, so `tempo jobs run` can resume it in a fresh process. */
export const EvalPayload = z.object({
  format: z.enum(EVAL_FORMATS),
  /** Absolute paths: the annotation file, the videos folder, the predictions JSONL written. */
  annotations: z.string().min(1),
  videos: z.string().min(1),
  out: z.string().min(1),
  /** Only the first `limit` readable items; null for all. */
  limit: z.number().int().positive().nullable(),
  target: GroundTarget,
  samples: z.number().int().positive(),
  /** Token budget of the scans made for videos that have none. */
  budgetTokens: z.number().int().positive(),
});
export type EvalPayload = z.infer<typeof EvalPayload>;

/** What an eval job needs: the library (to import and scan its videos), the frame cache, server tokens. */
export interface EvalJobDeps extends ImportDeps {
  scans: ScansRepo;
  cache?: DiskCache;
  prefixCache?: DiskCache;
  serverTokens: ReadonlyMap<string, string>;
}

/** One eval job per predictions file: running the same command again joins or continues it. */
export function evalDedupeKey(p: Pick<EvalPayload, 'out'>): string {
  return `eval:${p.out}`;
}

/** The items of a set an eval job (and its scoring) covers: the readable ones, up to the limit. */
export function evalItems(format: EvalFormat, annotationsText: string, limit: number | null): EvalItem[] {
  const items = readAnnotations(format, annotationsText).items;
  return limit === null ? items : items.slice(0, limit);
}

/** The library's recording of a file, importing it first when it is not there; a reason when it cannot be. */
async function ensureRecording(deps: EvalJobDeps, file: string): Promise<Recording | string> {
  const { recordings } = deps;
  const known = recordings.byPath(file);
  if (known) return known;
  const dup = recordings.findDuplicate(file, fingerprint(file).fingerprint);
  if (dup) return recordings.get(dup.id) ?? `recording ${dup.id} vanished`;
  const result = await importFiles(deps, [file]);
  const imported = result.imported[0];
  return imported
    ? (recordings.get(imported.id) ?? `recording ${imported.id} vanished`)
    : (result.skipped[0]?.reason ?? 'not imported');
}

/** Grounds one item's query in its video; a video that is missing or unreadable gives a line with a note and no answer. */
async function predict(
  deps: EvalJobDeps,
  p: EvalPayload,
  item: EvalItem,
  model: () => Promise<Resolved>,
  signal: AbortSignal,
  progress: (f: number) => void,
): Promise<PredictionLine> {
  const base = { id: item.id, video: item.video, query: item.query };
  const noAnswer = (note: string): PredictionLine => ({ ...base, refused: false, segments: [], note });
  const file = findVideo(p.videos, item.video);
  if (!file) return noAnswer(`no video file for ${item.video} in ${p.videos}`);
  try {
    const rec = await ensureRecording(deps, file);
    if (typeof rec === 'string') return noAnswer(`${file}: ${rec}`);
    // Each item's scan is stored at once: an evaluation is long, and resumes item by item.
    const scan = await scannedOrFresh(rec, p.budgetTokens, deps.scans, signal, (f) => progress(f / 3));
    if (scan.fresh) scan.write();
    const r = await model();
    const { out } = await groundOnPlan({
      rec,
      sourceKey: deps.recordings.fingerprint(rec.id) ?? rec.path,
      plan: scan.plan,
      target: r,
      query: item.query,
      samples: p.samples,
      cache: deps.cache,
      signal,
      onProgress: (f) => progress(1 / 3 + (2 / 3) * f),
    });
    const segments = out.segments.map(({ startS, endS, confidence }) => ({ startS, endS, confidence }));
    const note =
      out.refused && out.notes.length > 0 ? `${out.notes.length} answers not taken: ${out.notes[0]}` : undefined;
    return { ...base, refused: out.refused, segments, ...(note ? { note } : {}) };
  } catch (err) {
    if (signal.aborted || !(err instanceof MediaError)) throw err;
    return noAnswer(`${file}: ${err.message.split('\n')[0]}`);
  }
}

/**
 * The 'eval' job: grounds every item of a benchmark set in its video (imported and scanned as
 * needed) and appends one fsynced prediction line per item. Items already in the file are
 * skipped, so a restart continues after the last line written. Progress = items done / items.
 */
export function evalJobHandler(deps: EvalJobDeps): JobHandler<EvalPayload> {
  return async ({ payload: p, signal, progress, note }) => {
    const items = evalItems(p.format, fs.readFileSync(p.annotations, 'utf8'), p.limit);
    if (!fs.statSync(p.videos).isDirectory()) throw new Error(`${p.videos} is not a folder`);
    const done = resumePredictions(path.resolve(p.out));
    let loaded: Promise<Resolved> | undefined;
    const model = () => (loaded ??= resolveTarget(deps, p.target, note));
    let finished = items.filter((i) => done.has(i.id)).length;
    const total = Math.max(1, items.length);
    progress(finished / total);
    for (const item of items) {
      if (done.has(item.id)) continue;
      if (signal.aborted) throw new JobCancelledError();
      const line = await predict(deps, p, item, model, signal, (f) => progress((finished + f) / total));
      appendPrediction(p.out, line);
      done.add(item.id);
      finished++;
      progress(finished / total);
    }
    return () => undefined;
  };
}
