import { UsageError } from '../engine/api/errors.js';
import { InstallError, installModel } from '../engine/models/install.js';
import type { CommandContext } from './commands.js';

/** `tempo models install DIR [--name N]`: a model folder from a USB stick or a share, checked, copied and registered. */
export async function cmdModelsInstall({ engine, out, args, options, signal }: CommandContext): Promise<number> {
  if (args.length !== 2) throw new UsageError('models install needs one model folder');
  const name = typeof options['name'] === 'string' ? options['name'] : undefined;
  let installed;
  try {
    installed = await installModel(engine.paths.home, engine.db, args[1] as string, name, signal);
  } catch (err) {
    if (err instanceof InstallError) throw new UsageError(`cannot install: ${err.message}`);
    throw err;
  }
  const m = installed.manifest;
  out.result(
    { name: m?.name ?? null, dir: installed.dir, family: m?.family ?? null, profile: m?.profile ?? null },
    () => `installed ${m?.name} (${m?.family} / ${m?.profile}) in ${installed.dir}; use it with --model ${m?.name}`,
  );
  return 0;
}
