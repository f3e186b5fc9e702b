import { randomBytes } from 'node:crypto';
import { resolveModelDir } from '../../engine/api/models.js';
import { UsageError } from '../../engine/errors.js';
import { loadModel } from '../../engine/models/loaded.js';
import { checkModelDir } from '../../engine/models/manifest.js';
import { startModelServer } from '../../server/model-server.js';
import type { CommandContext } from '../context.js';
import { deviceOption, portOption, stringOption } from '../options.js';
import { untilAborted } from '../progress.js';

/** `tempo serve-model`: the local runtime as an OpenAI-compatible endpoint on 127.0.0.1 until Ctrl-C. */
export async function cmdServeModel({ engine, out, args, options, signal }: CommandContext): Promise<number> {
  if (args.length > 0) throw new UsageError('serve-model takes no arguments (see tempo help)');
  const port = portOption(options, 8765);
  const dir = resolveModelDir(engine, stringOption(options, 'model'));
  const device = deviceOption(stringOption(options, 'device') ?? 'cpu');
  const given = stringOption(options, 'token');
  if (given !== undefined && given.length < 8) throw new UsageError('--token must be at least 8 characters');
  const token = given ?? randomBytes(18).toString('base64url');
  const check = checkModelDir(dir);
  if (!check.manifest) throw new UsageError(`model ${dir} cannot be used: ${check.problems.join('; ')}`);
  const model = await loadModel(check.dir, check.manifest, device, {
    cache: engine.cache,
    prefixCache: engine.prefixCache,
  });
  let server;
  try {
    server = await startModelServer({ model, token, port });
  } catch (err) {
    if ((err as { code?: string }).code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use`);
    throw err;
  }
  const info = { url: server.url, model: check.manifest.name, device, token };
  out.result(info, () =>
    [
      `serving ${info.model} on ${device} at ${info.url} (127.0.0.1 only)`,
      `token: ${token}`,
      `tempo ground ID "QUERY" --server ${info.url} --token ${token}`,
      'Ctrl-C stops.',
    ].join('\n'),
  );
  await untilAborted(signal);
  await server.close();
  return 0;
}
