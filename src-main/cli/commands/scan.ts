import fs from 'node:fs';
import { importPaths } from '../../engine/api/import.js';
import { resolveRecording } from '../../engine/api/recordings.js';
import { scanRecording } from '../../engine/api/scan.js';
import { UsageError } from '../../engine/errors.js';
import type { Engine } from '../../engine/engine.js';
import type { CommandContext } from '../context.js';
import { formatDuration } from '../output.js';
import { followJobs } from '../progress.js';

/** The recording a scan is for; a video file not yet in the library is imported first. */
async function recordingToScan(engine: Engine, ref: string): Promise<ReturnType<typeof resolveRecording>> {
  try {
    return resolveRecording(engine, ref);
  } catch (err) {
    if (!fs.existsSync(ref) || !fs.statSync(ref).isFile()) throw err;
    const imported = await importPaths(engine, [ref]);
    const skipped = imported.skipped[0];
    if (skipped) throw new UsageError(`${skipped.path}: ${skipped.reason}`);
    return resolveRecording(engine, ref);
  }
}

/** `tempo scan ID|PATH [--budget TOKENS] [--force]`: change points and a frame plan under a token budget. */
export async function cmdScan(ctx: CommandContext): Promise<number> {
  const { engine, out, args, options } = ctx;
  if (args.length !== 1) throw new UsageError('scan needs one recording id or path');
  const rec = await recordingToScan(engine, args[0] as string);
  const budget = options['budget'];
  const progress = followJobs(ctx, `scan ${rec.id}`);
  try {
    const result = await scanRecording(engine, rec, {
      budgetTokens: budget === undefined ? undefined : Number(budget),
      force: options['force'] === true,
      onJob: progress.onJob,
    });
    out.done();
    out.result(result, () =>
      [
        `recording ${result.recordingId}  ${formatDuration(result.durationS)}`,
        `change points (s): ${result.changePoints.map((t) => t.toFixed(2)).join(', ') || 'none'}`,
        `frames planned: ${result.frames.length}`,
        ...result.warnings.map((w) => `warning: ${w}`),
        `visual tokens: ${result.visualTokens} (uniform 2 fps: ${result.uniformTokens}, ratio ${(result.visualTokens / Math.max(1, result.uniformTokens)).toFixed(3)})`,
      ].join('\n'),
    );
    return 0;
  } finally {
    progress.stop();
  }
}
