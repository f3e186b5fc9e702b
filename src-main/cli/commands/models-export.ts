import { EngineError, UsageError } from '../../engine/errors.js';
import { ExportError } from '../../engine/models/errors.js';
import { exportModel } from '../../engine/models/export.js';
import { formatBytes } from '../../engine/models/pull.js';
import type { CommandContext } from '../context.js';
import { stringOption } from '../options.js';
import { progressLine } from '../progress.js';

/** `tempo models export NAME --out DIR`: an installed model copied to DIR/NAME for `models install` elsewhere. */
export async function cmdModelsExport(ctx: CommandContext): Promise<number> {
  const { engine, out, args, options, signal } = ctx;
  if (args.length !== 2) throw new UsageError('models export needs one model name (and --out DIR)');
  const dest = stringOption(options, 'out');
  if (!dest) throw new UsageError('models export needs --out DIR (a USB stick, a share)');
  const show = progressLine(out);
  let exported;
  try {
    exported = await exportModel(engine.paths.home, args[1] as string, dest, {
      signal,
      onProgress: (p) => show('exporting', p.copiedBytes, p.totalBytes),
    });
  } catch (err) {
    if (err instanceof ExportError) {
      const line = `cannot export ${args[1]}: ${err.template}`;
      throw err.usage ? new UsageError(line) : new EngineError(line);
    }
    throw err;
  } finally {
    out.done();
  }
  out.result(exported, () =>
    [
      `exported ${exported.name} (${exported.files.length} files, ${formatBytes(exported.bytes)}) to ${exported.dir}`,
      `on the other PC: tempo models install ${exported.dir}`,
    ].join('\n'),
  );
  return 0;
}
