import { UsageError } from '../../engine/errors.js';
import type { QualityScore as VerdictScore } from '../../../src-shared/quality.js';
import { verdictEval } from '../../engine/learning/verdict-eval.js';
import { runReviewed } from '../../engine/api/run-reviewed.js';
import type { CommandContext } from '../context.js';
import { modelList } from '../options.js';
import { followJobs } from '../progress.js';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

function describe(s: VerdictScore): string {
  const load = s.reviewLoad;
  return [
    `${s.model}: ${s.n} reviewed pairs (${s.present} with the moment, ${s.absent} without)`,
    `  R1@0.5 ${pct(s.r1At05)}  mIoU ${pct(s.mIoU)}  refusal precision ${pct(s.refusal.precision)} recall ${pct(s.refusal.recall)}  ECE ${s.ece === null ? '-' : s.ece.toFixed(3)} (${s.segments} segments)`,
    `  review load: watch ${pct(load.share)} of ${(load.footageS / 60).toFixed(1)} min (${plural(load.recordings, 'recording', 'recordings')}, ${plural(load.queries, 'query', 'queries')}) at recall ${pct(load.recall)} of ${plural(load.moments, 'moment', 'moments')}; without the tool 100%`,
    ...(s.audit
      ? [
          `  two-stage audit: a moment in ${s.audit.found} of ${plural(s.audit.audited, 'window', 'windows')} the candidate model refused (${pct(s.audit.share)} missed; ${plural(s.audit.runs, 'run', 'runs')})`,
        ]
      : []),
  ].join('\n');
}

/**
 * `tempo verdict-eval [--model A --model B ...]`: scores models on the library's own reviewed set
 * (meant to become `tempo eval --verdicts`).
 */
export async function cmdVerdictEval(ctx: CommandContext): Promise<number> {
  const { engine, out, args, options } = ctx;
  if (args.length > 0) throw new UsageError('verdict-eval takes no arguments (see tempo help)');
  const models = modelList(options, () => []);
  if (options['run'] === true) {
    // Make each named model comparable at once: run it on the reviewed queries it has not answered.
    if (models.length === 0) throw new UsageError('--run needs the models to run: --model NAME');
    const progress = followJobs(ctx, 'eval --verdicts --run');
    try {
      for (const m of models) await runReviewed(engine, m, { onJob: progress.onJob });
    } finally {
      progress.stop();
    }
    out.done();
  }
  const result = verdictEval(engine, models);
  out.result(result, () =>
    result.pairs === 0
      ? 'no reviewed queries yet: review some segments first'
      : [
          `${result.pairs} reviewed (query, recording) pairs${result.unknown > 0 ? ` (${result.unknown} more with only wrong-time/partly rejections, not scored)` : ''}`,
          ...result.models.map(describe),
        ].join('\n'),
  );
  return 0;
}
