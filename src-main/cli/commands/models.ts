import { listInstalledModels } from '../../engine/api/models.js';
import { UsageError } from '../../engine/errors.js';
import type { CommandContext } from '../context.js';
import { cmdModelsExport } from './models-export.js';
import { cmdModelsInstall } from './models-install.js';
import { cmdModelsPull } from './models-pull.js';

/** `tempo models [install|pull|export ...]`: installed models (complete or what is wrong) and the devices here. */
export function cmdModels(ctx: CommandContext): number | Promise<number> {
  if (ctx.args[0] === 'install') return cmdModelsInstall(ctx);
  if (ctx.args[0] === 'pull') return cmdModelsPull(ctx);
  if (ctx.args[0] === 'export') return cmdModelsExport(ctx);
  if (ctx.args.length > 0)
    throw new UsageError(`unknown models command '${ctx.args[0]}' (install DIR, pull REPO, export NAME --out DIR)`);
  const { engine, out } = ctx;
  const result = listInstalledModels(engine);
  out.result(result, () =>
    [
      ...(result.models.length === 0
        ? [`no models installed (put model folders in ${engine.paths.home}/models or TEMPO_MODELS)`]
        : result.models.map((m) =>
            m.complete
              ? `ok       ${m.name}  ${m.family} / ${m.profile}  ${m.dir}`
              : `broken   ${m.name ?? '?'}  ${m.dir}: ${m.problems.join('; ')}`,
          )),
      `devices: ${result.devices.join(', ')}`,
    ].join('\n'),
  );
  return 0;
}
