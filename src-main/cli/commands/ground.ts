import { describeEstimate, describeStages } from '../../../src-shared/estimate.js';
import type { Recording } from '../../../src-shared/recordings.js';
import { formatSeconds } from '../../../src-shared/eta.js';
import { estimateQuery } from '../../engine/api/estimate.js';
import { checkQuery, groundQuery, type GroundRequest, type RunStages } from '../../engine/api/ground.js';
import { groundRecordings } from '../../engine/api/library-query.js';
import { queryRecordings } from '../../engine/api/queries.js';
import { resolveRecording } from '../../engine/api/recordings.js';
import { UsageError } from '../../engine/errors.js';
import type { CommandContext } from '../context.js';
import { numberOption, perServerOption, stringOption } from '../options.js';
import { formatDuration } from '../output.js';
import { followJobs } from '../progress.js';

/** The model, device or server options of `ground`, as the engine takes them. */
function targetOptions(options: CommandContext['options']) {
  const str = (name: string) => stringOption(options, name);
  return {
    model: str('model'),
    device: str('device'),
    server: str('server'),
    perServer: perServerOption(options),
    token: str('token'),
    profile: str('profile'),
    contextTokens: numberOption(options, 'context'),
    candidates: str('candidates'),
    refine: str('refine'),
    refineBelow: numberOption(options, 'refine-below'),
    auditShare: numberOption(options, 'audit-share'),
  };
}

/**
 * `tempo ground ID|PATH...|all "QUERY" --estimate [--model] [--device] [--server ...] [--candidates M --refine URL|MODEL]`:
 * how long the query would take here, from the costs measured by earlier runs of the model on
 * the device (two stages: of each stage's model); runs nothing.
 */
async function cmdEstimate(ctx: CommandContext): Promise<number> {
  const { engine, out, args, options } = ctx;
  if (args.length < 2) throw new UsageError('ground --estimate needs recording ids or paths (or all) and a query');
  checkQuery(args.at(-1) as string);
  const refs = args.slice(0, -1);
  const all = refs.length === 1 && refs[0] === 'all';
  const recordingIds = all ? [] : refs.map((ref) => resolveRecording(engine, ref).id);
  const estimate = await estimateQuery(engine, { ...targetOptions(options), recordingIds });
  const stages = describeStages(estimate);
  out.result(estimate, () =>
    [
      describeEstimate(estimate),
      ...(stages ? [stages] : []),
      ...estimate.perRecording
        .filter((r) => r.seconds !== null)
        .map(
          (r) =>
            `  recording ${r.recordingId}: ${formatSeconds(r.seconds as number)} (${r.visualTokens} visual tokens${r.scanned ? '' : ', scanned first'})`,
        ),
      ...estimate.notes.map((n) => `note: ${n}`),
    ].join('\n'),
  );
  return 0;
}

/** The recordings a ground names: `all` (the whole library), or ids and paths, each once. */
function groundRecordingsOf(ctx: CommandContext, refs: readonly string[]) {
  if (refs.length === 1 && refs[0] === 'all') return queryRecordings(ctx.engine, []);
  const recs = refs.map((ref) => resolveRecording(ctx.engine, ref));
  return recs.filter((rec, i) => recs.findIndex((r) => r.id === rec.id) === i);
}

/** A two-stage run's stages, one line each: windows, visual tokens and time; what the audit found. */
function stageLines(stages: RunStages | undefined): string[] {
  if (!stages) return [];
  const line = (name: string, s: RunStages['candidate']) =>
    `  ${name} (${s.model}): ${s.windows} window${s.windows === 1 ? '' : 's'}, ${s.visualTokens} visual tokens, ${formatSeconds(s.ms / 1000)}`;
  const { candidate, refine, audit } = stages;
  return [
    line('stage 1', candidate),
    line('stage 2', refine),
    `${line('audit', audit)}; a moment in ${audit.found} of ${audit.audited.length} refused window${audit.audited.length === 1 ? '' : 's'}`,
  ];
}

/**
 * Asks a ground (one recording, or several as one query job) with the command's model, server
 * and samples, one progress line following its job; a server that failed and left the pool (the
 * run went on without it) is said on stderr the moment it left (followJobs), also with --json;
 * after the run, any the command did not hear (its job ran in another process) is said then.
 */
async function followGround<T extends { serversLeft?: string[] }>(
  ctx: CommandContext,
  label: string,
  query: string,
  ask: (req: GroundRequest) => Promise<T>,
): Promise<T> {
  const progress = followJobs(ctx, label);
  try {
    const req = { ...targetOptions(ctx.options), query, samples: numberOption(ctx.options, 'samples') };
    const result = await ask({ ...req, onJob: progress.onJob });
    ctx.out.done();
    const heard = (line: string) => progress.notes.some((n) => n === line || n.startsWith(`${line}; `));
    for (const line of result.serversLeft ?? []) if (!heard(line)) process.stderr.write(`tempo: ${line}\n`);
    return result;
  } finally {
    progress.stop();
  }
}

/** One segment line: its rank, where it is and how sure. */
function segmentLine(s: { startS: number; endS: number; confidence: number }, i: number, where = ''): string {
  const span = `${formatDuration(s.startS)} - ${formatDuration(s.endS)}`;
  return `${String(i + 1).padStart(3)}. ${where}${span}  ${(s.confidence * 100).toFixed(0)}%`;
}

/**
 * `tempo ground all|ID ID... "QUERY"`: one query job over the recordings, one progress line
 * for them all, then the segments ranked across recordings. A recording that failed alone is
 * said on stderr (also with --json) and in the result; the run fails when every one did.
 */
async function cmdGroundMany(ctx: CommandContext, recs: readonly Recording[], query: string): Promise<number> {
  const label = `ground ${recs.length} recordings`;
  const result = await followGround(ctx, label, query, (req) => groundRecordings(ctx.engine, recs, req));
  for (const f of result.failed) process.stderr.write(`tempo: recording ${f.recordingId} failed: ${f.error}\n`);
  const found = new Set(result.segments.map((s) => s.recordingId)).size;
  const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
  ctx.out.result(result, () =>
    [
      `"${result.query}" in ${n(result.runs.length, 'recording')} (${result.model} on ${result.device}): ` +
        `${n(result.segments.length, 'segment')} in ${found} of them`,
      ...result.segments.map((s, i) => segmentLine(s, i, `recording ${s.recordingId}  `)),
    ].join('\n'),
  );
  return 0;
}

/**
 * `tempo ground ID|PATH "QUERY" [--model] [--device] [--samples] [--server URL,... [--token] [--profile] [--context] [--per-server]]`:
 * ranked segments where the query happens, with a confidence. Several recordings (or all) are
 * one query job (cmdGroundMany). With --estimate, only how long it would take.
 */
export async function cmdGround(ctx: CommandContext): Promise<number> {
  const { engine, out, args, options } = ctx;
  if (options['estimate'] === true) return cmdEstimate(ctx);
  if (args.length < 2) throw new UsageError('ground needs a recording id or path and a query (or several ids, or all)');
  const query = args.at(-1) as string;
  const refs = args.slice(0, -1);
  if (refs.length > 1 || refs[0] === 'all') return cmdGroundMany(ctx, groundRecordingsOf(ctx, refs), query);
  const rec = resolveRecording(engine, refs[0] as string);
  const result = await followGround(ctx, `ground ${rec.id}`, query, (req) => groundQuery(engine, rec, req));
  out.result(result, () =>
    [
      result.refused
        ? `"${result.query}": not found in recording ${result.recordingId} (${result.model} on ${result.device})`
        : `"${result.query}" in recording ${result.recordingId} (${result.model} on ${result.device}):`,
      // A two-stage run says which stage each segment came from.
      ...result.segments.map(
        (s, i) => segmentLine(s, i) + (result.stages ? `  (${result.stages.segmentStages[i]})` : ''),
      ),
      ...stageLines(result.stages),
    ].join('\n'),
  );
  return 0;
}
