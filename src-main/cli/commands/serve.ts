import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindEnvServerToken } from '../../engine/api/ground.js';
import { UsageError } from '../../engine/errors.js';
import { startJobWorker } from '../../engine/worker/job-runner.js';
import { startWebServer } from '../../server/web-server.js';
import type { CommandContext } from '../context.js';
import { portOption, stringOption } from '../options.js';
import { untilAborted } from '../progress.js';

/** Where the built renderer is: out/renderer beside the package (TEMPO_RENDERER_DIR overrides). */
export function rendererDir(): string {
  const fromEnv = process.env['TEMPO_RENDERER_DIR'];
  if (fromEnv) return path.resolve(fromEnv);
  // This file runs as build/src-main/cli/commands/serve.js.
  return fileURLToPath(new URL('../../../../out/renderer', import.meta.url));
}

/** The shortest token `tempo serve --token` takes. */
const MIN_SERVE_TOKEN = 32;

/**
 * `tempo serve`: web mode. The renderer and the api over HTTP with server-sent events on
 * 127.0.0.1, behind a random token printed in the URL; jobs run in a worker thread.
 */
export async function cmdServe({ engine, out, args, options, signal }: CommandContext): Promise<number> {
  if (args.length > 0) throw new UsageError('serve takes no arguments (see tempo help)');
  const port = portOption(options, 8766);
  const dir = rendererDir();
  if (!fs.existsSync(path.join(dir, 'index.html')))
    throw new UsageError(`the renderer is not built (${dir}/index.html is missing): run npm run build:app`);
  const given = stringOption(options, 'token');
  if (given !== undefined && given.length < MIN_SERVE_TOKEN)
    throw new UsageError(`--token must be at least ${MIN_SERVE_TOKEN} characters (it is the key to every recording)`);
  const token = given ?? randomBytes(32).toString('base64url');
  // TEMPO_SERVER_TOKEN goes to the model server set now, and nowhere else (before the worker starts).
  const envTokenFor = bindEnvServerToken(engine, engine.settings.get().serverUrl);
  const runner = startJobWorker(engine, (m) => process.stderr.write(`tempo serve: ${m}\n`));
  let server;
  try {
    server = await startWebServer({ engine, rendererDir: dir, token, port });
  } catch (err) {
    await runner.stop();
    if ((err as { code?: string }).code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use`);
    throw err;
  }
  out.result({ url: server.url, port: server.port, token }, () =>
    [
      `Tempo Review (web mode): open ${server.url}`,
      'Only this machine can reach it; the token in the address is the key to every recording. Ctrl-C stops.',
      ...(envTokenFor ? [`TEMPO_SERVER_TOKEN is sent to ${envTokenFor} only.`] : []),
    ].join('\n'),
  );
  await untilAborted(signal);
  await server.close();
  await runner.stop();
  return 0;
}
