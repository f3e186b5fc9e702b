import { UsageError } from '../engine/errors.js';
import { checkDevice, DeviceError, type Device } from '../engine/models/devices.js';
import { InstallError, installModel, type Installed } from '../engine/models/install.js';
import { Dtype } from '../engine/models/manifest.js';
import type { CommandContext } from './commands.js';

/** The --name, --dtype, --profile and --device options of `models install` and `models pull`. */
export function installOptions(options: CommandContext['options']): {
  name?: string;
  dtype?: Dtype;
  profile?: string;
  device?: Device;
} {
  const str = (k: string) => (typeof options[k] === 'string' ? (options[k] as string) : undefined);
  const dtype = str('dtype');
  if (dtype !== undefined && !Dtype.safeParse(dtype).success)
    throw new UsageError(`unknown --dtype '${dtype}' (one of ${Dtype.options.join(', ')})`);
  let device: Device | undefined;
  const d = str('device');
  if (d !== undefined) {
    try {
      device = checkDevice(d);
    } catch (err) {
      if (err instanceof DeviceError) throw new UsageError(err.message);
      throw err;
    }
  }
  const name = str('name');
  const profile = str('profile');
  return {
    ...(name ? { name } : {}),
    ...(dtype ? { dtype: dtype as Dtype } : {}),
    ...(profile ? { profile } : {}),
    ...(device ? { device } : {}),
  };
}

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
    installed = await installModel(engine.paths.home, engine.db, args[1] as string, {
      ...installOptions(options),
      signal,
      onProgress: (p) => out.progress('copying', p.totalBytes > 0 ? p.copiedBytes / p.totalBytes : 1),
    });
  } catch (err) {
    if (err instanceof InstallError) throw new UsageError(`cannot install: ${err.message}`);
    throw err;
  } finally {
    out.done();
  }
  reportInstalled(ctx, installed);
  return 0;
}
