import { UsageError } from '../../engine/errors.js';
import { fitCalibrator, MIN_CALIBRATION_VERDICTS, type CalibrationFit } from '../../engine/learning/calibration.js';
import type { Reliability } from '../../../src-shared/quality.js';
import { ReviewedRepo } from '../../engine/store/reviewed.js';
import type { CommandContext } from '../context.js';
import { modelList } from '../options.js';

const fixed = (x: number | null) => (x === null ? '-' : x.toFixed(3));

function table(r: Reliability): string[] {
  return r.bins.map(
    (b) =>
      `    ${b.from.toFixed(1)}-${b.to.toFixed(1)}  ${String(b.n).padStart(5)}  confidence ${b.confidence.toFixed(3)}  right ${b.accuracy.toFixed(3)}`,
  );
}

function describe(f: CalibrationFit): string[] {
  const c = f.calibrator;
  const head =
    c.method === 'isotonic'
      ? `${c.modelName}: isotonic on ${c.n} reviewed segments (${c.positives} right); ECE ${fixed(f.before.ece)} -> ${fixed(f.after.ece)} (cross-validated)`
      : `${c.modelName}: ${c.n} reviewed segments (${c.positives} right), fewer than ${MIN_CALIBRATION_VERDICTS}: confidences stay as the model gives them; ECE ${fixed(f.before.ece)}`;
  if (c.n === 0) return [head];
  return [head, '  before:', ...table(f.before), ...(c.method === 'isotonic' ? ['  after:', ...table(f.after)] : [])];
}

/** `tempo calibrate [--model M]...`: fits each model's calibrator on its reviewed segments and shows the reliability. */
export function cmdCalibrate({ engine, out, args, options }: CommandContext): number {
  if (args.length > 0) throw new UsageError('calibrate takes no arguments (see tempo help)');
  const names = modelList(options, () => new ReviewedRepo(engine.db).modelNames());
  if (names.length === 0) throw new UsageError('no model has runs yet: nothing to calibrate');
  const fits = names.map((m) => fitCalibrator(engine, m));
  out.result({ models: fits.map((f) => ({ ...f.calibrator, before: f.before, after: f.after })) }, () =>
    fits.flatMap(describe).join('\n'),
  );
  return 0;
}
