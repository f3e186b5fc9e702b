import { evaluateSet, type EvalResult } from '../../engine/api/eval.js';
import { UsageError } from '../../engine/errors.js';
import type { Skipped } from '../../engine/learning/datasets/types.js';
import type { CommandContext } from '../context.js';
import { numberOption, perServerOption, stringOption } from '../options.js';
import { followJobs } from '../progress.js';
import { cmdVerdictEval } from './verdict-eval.js';

function skippedLine(s: Skipped): string {
  const where = s.line !== undefined ? `line ${s.line}` : (s.key ?? '');
  return `  ${s.file} ${where}: ${s.reason}`;
}

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

const value = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : v.toFixed(2));

/** The human form of a report: a small table of metrics, then what was left out. */
export function formatEvalReport(r: EvalResult): string {
  const rows: [string, string][] = [
    ['R1@0.3', value(r['R1@0.3'])],
    ['R1@0.5', value(r['R1@0.5'])],
    ['R1@0.7', value(r['R1@0.7'])],
    ['mIoU', value(r.mIoU)],
    ...(r.mAP !== undefined
      ? ([
          ['mAP@0.5', value(r['mAP@0.5'])],
          ['mAP@0.75', value(r['mAP@0.75'])],
          ['mAP', value(r.mAP)],
        ] as [string, string][])
      : []),
    ['refusal precision', value(r.refusal.precision)],
    ['refusal recall', value(r.refusal.recall)],
    ['ECE', value(r.ECE)],
  ];
  return [
    `${r.format}: ${count(r.n, 'item')}, ${r.n - r.refusal.n} with a moment, ${r.refusal.n} without (${r.predictions})`,
    `${'metric'.padEnd(18)} ${'%'.padStart(7)}`,
    ...rows.map(([k, v]) => `${k.padEnd(18)} ${v.padStart(7)}`),
    ...(r.missing > 0 ? [`${count(r.missing, 'item')} without a prediction (scored as not answered)`] : []),
    ...(r.unmatched > 0 ? [`${count(r.unmatched, 'prediction')} matching no item`] : []),
    ...(r.skipped.length > 0 ? [`skipped ${r.skipped.length}:`, ...r.skipped.map(skippedLine)] : []),
  ].join('\n');
}

/**
 * `tempo eval --format F --annotations A (--predictions P | --videos DIR [--model M] [--server URL,... [--per-server N]] [--out P])`:
 * scores predictions on a grounding benchmark, running the model first when given videos.
 */
export async function cmdEval(ctx: CommandContext): Promise<number> {
  // `tempo eval --verdicts`: models scored on the library's own reviewed set.
  if (ctx.options['verdicts'] === true) return cmdVerdictEval(ctx);
  const { engine, out, args, options } = ctx;
  if (args.length > 0) throw new UsageError('eval takes options only (see tempo help)');
  const str = (name: string) => stringOption(options, name);
  const num = (name: string) => numberOption(options, name);
  const format = str('format');
  const annotations = str('annotations');
  if (format === undefined || annotations === undefined)
    throw new UsageError('eval needs --format charades|activitynet|qvhighlights and --annotations FILE');
  const progress = followJobs(ctx, 'eval');
  try {
    const result = await evaluateSet(engine, {
      format,
      annotations,
      predictions: str('predictions'),
      videos: str('videos'),
      out: str('out'),
      durations: str('durations'),
      limit: num('limit'),
      model: str('model'),
      device: str('device'),
      samples: num('samples'),
      server: str('server'),
      perServer: perServerOption(options),
      token: str('token'),
      profile: str('profile'),
      contextTokens: num('context'),
      onJob: progress.onJob,
    });
    out.done();
    out.result(result, () => formatEvalReport(result));
    return 0;
  } finally {
    progress.stop();
  }
}
