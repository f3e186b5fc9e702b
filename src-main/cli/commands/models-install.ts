import { UsageError } from '../../engine/errors.js';
import { InstallError } from '../../engine/models/errors.js';
import { installModel, type Installed } from '../../engine/models/install.js';
import type { CommandContext } from '../context.js';
import { installOptions } from '../options.js';

/** Prints what an install did, human or JSON. */
export function reportInstalled({ out }: CommandContext, installed: Installed): void {
  const m = installed.manifest;
  out.result(
    {
      name: m?.name ?? null,
      dir: installed.dir,
      family: m?.family ?? null,
      profile: m?.profile ?? null,
      dtype: m?.dtype ?? null,
      notices: installed.notices,
    },
    () =>
      [
        ...installed.notices,
        `installed ${m?.name} (${m?.family} / ${m?.profile}) in ${installed.dir}; use it with --model ${m?.name}`,
      ].join('\n'),
  );
}

/** `tempo models install DIR [--name N] [--dtype D] [--profile P] [--device D]`: a model folder checked, copied and registered. */
export async function cmdModelsInstall(ctx: CommandContext): Promise<number> {
  const { engine, out, args, options, signal } = ctx;
  if (args.length !== 2) throw new UsageError('models install needs one model folder');
  let installed;
  try {
    installed = await installModel(engine.paths.home, args[1] as string, {
      ...installOptions(options),
      signal,
      onProgress: (p) => out.progress('copying', p.totalBytes > 0 ? p.copiedBytes / p.totalBytes : 1),
    });
  } catch (err) {
    if (err instanceof InstallError) throw new UsageError(`cannot install: ${err.template}`);
    throw err;
  } finally {
    out.done();
  }
  reportInstalled(ctx, installed);
  return 0;
}
