import fs from 'node:fs';
import path from 'node:path';
import type { Job } from '../../../src-shared/jobs.js';
import { DEFAULT_SCAN_BUDGET } from '../../../src-shared/scans.js';
import type { Engine } from '../engine.js';
import { evalDedupeKey, type EvalPayload } from '../jobs/eval-job.js';
import {
  DatasetFormatError,
  EVAL_FORMATS,
  isEvalFormat,
  readAnnotations,
  readDurationsCsv,
  withDurations,
  type EvalFormat,
  type EvalItem,
  type Skipped,
} from '../learning/datasets/index.js';
import { scoreItems, type EvalReport } from '../learning/evaluate.js';
import { readPredictions } from '../learning/predictions.js';
import { findVideo } from '../learning/videos.js';
import { probeVideo } from '../media/probe.js';
import { UsageError } from '../errors.js';
import { planGround, type GroundRequest } from './ground.js';
import { runJob } from './run-job.js';

export interface EvalRequest extends Omit<GroundRequest, 'query' | 'onJob'> {
  format: string;
  annotations: string;
  /** Score this predictions file ... */
  predictions?: string;
  /** ... or run the model over the videos in this folder first, writing `out`. */
  videos?: string;
  out?: string;
  /** Video durations for Charades-STA: `id,duration` lines. */
  durations?: string;
  /** Only the first N readable items (run and scored). */
  limit?: number;
  onJob?: (job: Job) => void;
}

export interface EvalResult extends EvalReport {
  /** The predictions file scored (written by this call when it ran the model). */
  predictions: string;
}

function readText(file: string, what: string): string {
  if (!fs.existsSync(file)) throw new UsageError(`${what} ${file} does not exist`);
  if (!fs.statSync(file).isFile()) throw new UsageError(`${what} ${file} is not a file`);
  return fs.readFileSync(file, 'utf8');
}

function checkRequest(req: EvalRequest): EvalFormat {
  if (!isEvalFormat(req.format)) throw new UsageError(`unknown {format} '${req.format}' (${EVAL_FORMATS.join(', ')})`);
  if ((req.predictions === undefined) === (req.videos === undefined))
    throw new UsageError('eval needs {predictions FILE} (score it) or {videos DIR} (run the model), not both');
  if (req.limit !== undefined && !(Number.isInteger(req.limit) && req.limit > 0))
    throw new UsageError('{limit} must be a whole number above 0');
  if (req.videos !== undefined && !(fs.existsSync(req.videos) && fs.statSync(req.videos).isDirectory()))
    throw new UsageError(`{videos} ${req.videos} is not a folder`);
  if (req.format === 'charades' && req.durations === undefined && req.videos === undefined)
    throw new UsageError('charades gives no video durations: add {durations CSV} (id,duration)');
  if (req.predictions !== undefined && req.out !== undefined)
    throw new UsageError('{out} is where a run with {videos} writes its predictions');
  return req.format;
}

/** Durations of the videos items lack (Charades-STA): from the CSV, else the library or the video files. */
async function fillDurations(
  engine: Engine,
  items: EvalItem[],
  req: EvalRequest,
  skipped: Skipped[],
): Promise<(EvalItem & { durationS: number })[]> {
  if (items.every((i) => i.durationS !== null)) return items as (EvalItem & { durationS: number })[];
  const durations = new Map<string, number>();
  if (req.durations !== undefined) {
    const csv = readDurationsCsv(readText(req.durations, '{durations}'));
    skipped.push(...csv.skipped);
    for (const [k, v] of csv.durations) durations.set(k, v);
  } else if (req.videos !== undefined) {
    for (const video of new Set(items.filter((i) => i.durationS === null).map((i) => i.video))) {
      const file = findVideo(req.videos, video);
      if (!file) continue;
      const d = engine.recordings.byPath(file)?.durationS ?? (await probeVideo(file).catch(() => null))?.durationS;
      if (d) durations.set(video, d);
    }
  }
  const filled = withDurations(items, durations);
  for (const m of filled.missing)
    skipped.push({ file: 'annotations', line: m.line, key: m.id, reason: `no duration for video ${m.video}` });
  return filled.items as (EvalItem & { durationS: number })[];
}

/** Where a run writes its predictions when --out is not given: beside the working directory. */
function defaultOut(annotations: string, modelName: string): string {
  const base = path.basename(annotations).replace(/\.[^.]*$/, '');
  return path.resolve(`${base}.${modelName.replace(/[^\w.-]+/g, '_')}.predictions.jsonl`);
}

/** Runs the model over a set as a resumable 'eval' job; returns the predictions file. */
async function runModel(engine: Engine, format: EvalFormat, req: EvalRequest): Promise<string> {
  const { target, samples } = await planGround(engine, req);
  const modelName = target.kind === 'local' ? path.basename(target.modelDir) : target.model;
  const payload: EvalPayload = {
    format,
    annotations: path.resolve(req.annotations),
    videos: path.resolve(req.videos as string),
    out: req.out !== undefined ? path.resolve(req.out) : defaultOut(req.annotations, modelName),
    limit: req.limit ?? null,
    target,
    samples,
    budgetTokens: DEFAULT_SCAN_BUDGET,
  };
  const job = engine.jobs.enqueue('eval', payload, { dedupeKey: evalDedupeKey(payload), maxAttempts: 10 });
  await runJob(engine, job, `evaluation of ${modelName}`, req.onJob);
  return payload.out;
}

/**
 * `tempo eval`: scores a predictions file against a benchmark's annotations, or first runs a
 * model over the set's videos (a resumable job writing the predictions JSONL) and scores that.
 */
export async function evaluateSet(engine: Engine, req: EvalRequest): Promise<EvalResult> {
  const format = checkRequest(req);
  const text = readText(req.annotations, '{annotations}');
  if (req.predictions !== undefined) readText(req.predictions, '{predictions}');
  let read;
  try {
    read = readAnnotations(format, text);
  } catch (err) {
    if (err instanceof DatasetFormatError) throw new UsageError(`{annotations} ${req.annotations}: ${err.message}`);
    throw err;
  }
  if (read.items.length === 0) {
    const first = read.skipped[0];
    throw new UsageError(
      `no ${format} item could be read from ${req.annotations}${first ? ` (${first.line ? `line ${first.line}` : first.key}: ${first.reason})` : ''}`,
    );
  }
  const predictionsFile = req.videos !== undefined ? await runModel(engine, format, req) : (req.predictions as string);
  const skipped: Skipped[] = [...read.skipped];
  const limited = req.limit === undefined ? read.items : read.items.slice(0, req.limit);
  const items = await fillDurations(engine, limited, req, skipped);
  const preds = readPredictions(fs.readFileSync(predictionsFile, 'utf8'));
  skipped.push(...preds.skipped);
  return { ...scoreItems(format, items, preds.predictions, skipped), predictions: path.resolve(predictionsFile) };
}
