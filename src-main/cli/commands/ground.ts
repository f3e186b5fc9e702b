import { groundQuery } from '../../engine/api/ground.js';
import { resolveRecording } from '../../engine/api/recordings.js';
import { UsageError } from '../../engine/errors.js';
import type { CommandContext } from '../context.js';
import { numberOption, stringOption } from '../options.js';
import { formatDuration } from '../output.js';
import { followJobs } from '../progress.js';

/**
 * `tempo ground ID|PATH "QUERY" [--model] [--device] [--samples] [--server [--token] [--profile] [--context]]`:
 * ranked segments where the query happens, with a confidence.
 */
export async function cmdGround(ctx: CommandContext): Promise<number> {
  const { engine, out, args, options } = ctx;
  if (args.length !== 2) throw new UsageError('ground needs a recording id or path and a query');
  const rec = resolveRecording(engine, args[0] as string);
  const progress = followJobs(ctx, `ground ${rec.id}`);
  try {
    const str = (name: string) => stringOption(options, name);
    const result = await groundQuery(engine, rec, {
      query: args[1] as string,
      model: str('model'),
      device: str('device'),
      samples: numberOption(options, 'samples'),
      server: str('server'),
      token: str('token'),
      profile: str('profile'),
      contextTokens: numberOption(options, 'context'),
      onJob: progress.onJob,
    });
    out.done();
    out.result(result, () =>
      result.refused
        ? `"${result.query}": not found in recording ${result.recordingId} (${result.model} on ${result.device})`
        : [
            `"${result.query}" in recording ${result.recordingId} (${result.model} on ${result.device}):`,
            ...result.segments.map(
              (s, i) =>
                `${String(i + 1).padStart(3)}. ${formatDuration(s.startS)} - ${formatDuration(s.endS)}  ${(s.confidence * 100).toFixed(0)}%`,
            ),
          ].join('\n'),
    );
    return 0;
  } finally {
    progress.stop();
  }
}
