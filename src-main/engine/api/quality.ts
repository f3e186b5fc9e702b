/**
 * The Model quality view's calls: models compared on the library's reviewed set, a model's
 * scores week by week, its reliability before and after calibration, and a refit of its
 * calibrator. Definitions: docs/training-data.md.
 */
import type { CallInput, CallOutput } from '../../../src-shared/api.js';
import type { QualityReliability } from '../../../src-shared/quality.js';
import type { Engine } from '../engine.js';
import { crossValidated, fitCalibrator, labelled, MIN_CALIBRATION_VERDICTS } from '../learning/calibration.js';
import { reliability } from '../learning/reliability.js';
import { verdictEval } from '../learning/verdict-eval.js';
import { listModels } from '../models/registry.js';
import { CalibratorsRepo, type StoredCalibrator } from '../store/calibrators.js';
import { ReviewedRepo } from '../store/reviewed.js';
import { UsageError } from '../errors.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** The history keeps the newest this many weeks (each point still counts every verdict before its end). */
export const MAX_HISTORY_WEEKS = 104;

/** Names of the complete installed models. */
function installedNames(engine: Engine): Set<string> {
  return new Set(
    listModels(engine.paths.home).flatMap((m) => (m.complete && m.manifest?.name ? [m.manifest.name] : [])),
  );
}

/** Models named, else every model with runs or installed, alphabetically; each scored on the reviewed set. */
export function compareModels(engine: Engine, { models }: CallInput<'quality.compare'>): CallOutput<'quality.compare'> {
  const installed = installedNames(engine);
  const names =
    models && models.length > 0
      ? [...new Set(models)]
      : [...new Set([...new ReviewedRepo(engine.db).modelNames(), ...installed])].sort();
  const result = verdictEval(engine, names);
  return {
    pairs: result.pairs,
    unknown: result.unknown,
    models: result.models.map((m) => ({ ...m, installed: installed.has(m.model) })),
  };
}

/** Midnight UTC of the Monday that starts the week of `ms`. */
export function weekStart(ms: number): number {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  return day - weekday * DAY_MS;
}

/**
 * A model's scores at the end of every week (UTC, Monday to Monday) from the week of the first
 * standing verdict to the week of the last: each point scores the model on the reviewed set made
 * of the standing verdicts given before the week's end (the set as it grew; today's verdicts,
 * so one undone or superseded since counts for nothing). The last point equals `quality.compare`.
 */
export function qualityHistory(engine: Engine, { model }: CallInput<'quality.history'>): CallOutput<'quality.history'> {
  const times = new ReviewedRepo(engine.db)
    .standing()
    .map((v) => Date.parse(v.verdictAt))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (times.length === 0) return { points: [] };
  const last = weekStart(times[times.length - 1] as number);
  const first = Math.max(weekStart(times[0] as number), last - (MAX_HISTORY_WEEKS - 1) * WEEK_MS);
  const points: CallOutput<'quality.history'>['points'] = [];
  for (let from = first; from <= last; from += WEEK_MS) {
    const until = new Date(from + WEEK_MS).toISOString();
    const result = verdictEval(engine, [model], { until });
    points.push({
      from: new Date(from).toISOString(),
      until,
      verdicts: times.filter((t) => t < from + WEEK_MS).length,
      pairs: result.pairs,
      score: result.models[0] as CallOutput<'quality.history'>['points'][number]['score'],
    });
  }
  return { points };
}

function calibratorState(c: StoredCalibrator | undefined): QualityReliability['calibrator'] {
  return c ? { method: c.method, n: c.n, positives: c.positives, fittedAt: c.fittedAt } : null;
}

/**
 * A model's reviewed segments (the calibration labels) now: reliability of its own confidences,
 * and cross-validated after isotonic calibration, as a refit would give; and the stored calibrator.
 */
export function qualityReliability(
  engine: Engine,
  { model }: CallInput<'quality.reliability'>,
): CallOutput<'quality.reliability'> {
  const items = labelled(engine.db, model);
  return {
    model,
    minimum: MIN_CALIBRATION_VERDICTS,
    before: reliability(items),
    after: items.length >= MIN_CALIBRATION_VERDICTS ? crossValidated(items) : null,
    calibrator: calibratorState(new CalibratorsRepo(engine.db).get(model)),
  };
}

/** Refits a model's calibrator (as `tempo calibrate --model M`); a model without runs is a usage error. */
export function qualityCalibrate(
  engine: Engine,
  { model }: CallInput<'quality.calibrate'>,
): CallOutput<'quality.calibrate'> {
  if (!new ReviewedRepo(engine.db).modelNames().includes(model))
    throw new UsageError(`model ${model} has no runs yet: nothing to calibrate`);
  const fit = fitCalibrator(engine, model);
  return {
    model,
    minimum: MIN_CALIBRATION_VERDICTS,
    before: fit.before,
    after: fit.calibrator.method === 'isotonic' ? fit.after : null,
    calibrator: calibratorState(fit.calibrator),
  };
}
