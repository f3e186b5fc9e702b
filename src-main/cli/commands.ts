import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job } from '../../src-shared/jobs.js';
import type { ImportResult } from '../../src-shared/recordings.js';
import { bindEnvServerToken, groundQuery } from '../engine/api/ground.js';
import { ImportStoppedError, importPaths, isAlreadyInLibrary } from '../engine/api/import.js';
import { listInstalledModels, resolveModelDir } from '../engine/api/models.js';
import { listRecordings, resolveRecording } from '../engine/api/recordings.js';
import { scanRecording } from '../engine/api/scan.js';
import { UsageError } from '../engine/errors.js';
import type { Engine } from '../engine/engine.js';
import { checkDevice, DeviceError } from '../engine/models/devices.js';
import { loadModel } from '../engine/models/loaded.js';
import { checkModelDir } from '../engine/models/manifest.js';
import { startJobWorker } from '../server/job-runner.js';
import { startModelServer } from '../server/model-server.js';
import { startWebServer } from '../server/web-server.js';
import { cmdModelsExport } from './models-export-command.js';
import { cmdModelsInstall } from './models-install-command.js';
import { cmdModelsPull } from './models-pull-command.js';
import { formatDuration, type Output } from './output.js';

export interface CommandContext {
  engine: Engine;
  out: Output;
  args: string[];
  /** Parsed options; `models` lists every --model given (repeatable), `model` is the last one. */
  options: Record<string, string | string[] | boolean | undefined>;
  /** Aborted on Ctrl-C: a running job is cancelled and the command ends. */
  signal: AbortSignal;
}

export async function cmdImport({ engine, out, args }: CommandContext): Promise<number> {
  if (args.length === 0) throw new UsageError('import needs at least one file or folder');
  const report = (result: ImportResult): void => {
    const known = result.skipped.filter(isAlreadyInLibrary);
    const skipped = result.skipped.filter((s) => !isAlreadyInLibrary(s));
    out.result(result, () =>
      [
        ...result.imported.map(
          (r) => `imported ${r.id}  ${r.path}  ${formatDuration(r.durationS)}  ${r.width}x${r.height} ${r.codec}`,
        ),
        ...known.map((s) => `in library  ${s.path}: ${s.reason}`),
        ...skipped.map((s) => `skipped  ${s.path}: ${s.reason}`),
        `${result.imported.length} imported, ${known.length} already in the library, ${skipped.length} skipped`,
      ].join('\n'),
    );
  };
  let result;
  try {
    result = await importPaths(engine, args, {
      onFile: (done, total) => out.progress('import', total === 0 ? 1 : done / total),
    });
  } catch (err) {
    out.done();
    // The library could not be written: what got in is shown, the run fails with one line.
    if (err instanceof ImportStoppedError) report(err.result);
    throw err;
  }
  out.done();
  report(result);
  // A file already in the library is where it should be; the run fails only when none of what
  // was given is in the library now (every file skipped for a problem).
  const inLibrary = result.imported.length + result.skipped.filter(isAlreadyInLibrary).length;
  if (inLibrary > 0 || result.skipped.length === 0) return 0;
  const only = result.skipped.length === 1 ? result.skipped[0] : undefined;
  throw new Error(
    only ? `nothing imported: ${only.path}: ${only.reason}` : `nothing imported: ${result.skipped.length} skipped`,
  );
}

export function cmdList({ engine, out }: CommandContext): number {
  const result = listRecordings(engine);
  out.result(result, () =>
    result.recordings.length === 0
      ? 'the library is empty: tempo import PATH'
      : result.recordings
          .map(
            (r) =>
              `${String(r.id).padStart(4)}  ${formatDuration(r.durationS).padStart(9)}  ${r.scan.padEnd(7)}  ${r.path}`,
          )
          .join('\n'),
  );
  return 0;
}

export async function cmdScan(ctx: CommandContext): Promise<number> {
  const { engine, out, args, options } = ctx;
  if (args.length !== 1) throw new UsageError('scan needs one recording id or path');
  const ref = args[0] as string;
  let rec;
  try {
    rec = resolveRecording(engine, ref);
  } catch (err) {
    // A video file not yet in the library is imported first.
    if (!fs.existsSync(ref) || !fs.statSync(ref).isFile()) throw err;
    const imported = await importPaths(engine, [ref]);
    const skipped = imported.skipped[0];
    if (skipped) throw new UsageError(`${skipped.path}: ${skipped.reason}`);
    rec = resolveRecording(engine, ref);
  }
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

/**
 * Shows the progress of the jobs a command starts, and cancels them on Ctrl-C.
 * Returns the onJob hook to pass to the api call and a stop function for `finally`.
 */
export function followJobs(ctx: CommandContext, label: string): { onJob: (job: Job) => void; stop: () => void } {
  const { engine, out, signal } = ctx;
  const ids = new Set<number>();
  const onEvent = ({ job }: { job: Job }): void => {
    if (ids.has(job.id)) out.progress(`${label} (${job.type})`, job.progress);
  };
  const onAbort = (): void => {
    for (const id of ids) engine.jobs.cancel(id);
  };
  engine.jobs.events.on('event', onEvent);
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    onJob: (job) => ids.add(job.id),
    stop: () => {
      engine.jobs.events.off('event', onEvent);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

export async function cmdGround(ctx: CommandContext): Promise<number> {
  const { engine, out, args, options } = ctx;
  if (args.length !== 2) throw new UsageError('ground needs a recording id or path and a query');
  const rec = resolveRecording(engine, args[0] as string);
  const samples = options['samples'];
  const progress = followJobs(ctx, `ground ${rec.id}`);
  try {
    const str = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
    const context = str('context');
    const result = await groundQuery(engine, rec, {
      query: args[1] as string,
      model: str('model'),
      device: str('device'),
      samples: samples === undefined ? undefined : Number(samples),
      server: str('server'),
      token: str('token'),
      profile: str('profile'),
      contextTokens: context === undefined ? undefined : Number(context),
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

export async function cmdJobs({ engine, out, args }: CommandContext): Promise<number> {
  const [sub = 'list', id] = args;
  if (sub === 'list') {
    const jobs = engine.jobs.list();
    out.result({ jobs }, () =>
      jobs.length === 0
        ? 'no jobs'
        : jobs
            .map(
              (j) =>
                `${String(j.id).padStart(4)}  ${j.type}  ${j.state.padEnd(9)} ${(j.progress * 100).toFixed(0).padStart(3)}%  attempts ${j.attempts}${j.error ? `  ${j.error}` : ''}`,
            )
            .join('\n'),
    );
    return 0;
  }
  if (sub === 'run') {
    // Judged on the jobs run now: a job that failed long ago does not fail this run.
    const ran = (await engine.jobs.drain()).map((jobId) => engine.jobs.get(jobId)).filter((j) => j !== undefined);
    const jobs = engine.jobs.list({ limit: 20 });
    out.result(
      { ran, jobs },
      () =>
        ran.map((j) => `${j.id} ${j.type} ${j.state}${j.error ? `: ${j.error}` : ''}`).join('\n') ||
        'no queued jobs to run',
    );
    return ran.some((j) => j.state === 'failed') ? 1 : 0;
  }
  if (sub === 'cancel') {
    if (!id || !/^\d+$/.test(id)) throw new UsageError('jobs cancel needs a job id');
    const job = engine.jobs.cancel(Number(id));
    if (!job) throw new UsageError(`no job with id ${id}`);
    out.result(
      { job },
      () => `job ${job.id}: ${job.state}${job.cancelRequested && job.state === 'running' ? ' (stopping)' : ''}`,
    );
    return 0;
  }
  throw new UsageError(`unknown jobs command '${sub}' (list, run, cancel ID)`);
}

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

/** `tempo serve-model`: the local runtime as an OpenAI-compatible endpoint on 127.0.0.1 until Ctrl-C. */
export async function cmdServeModel({ engine, out, args, options, signal }: CommandContext): Promise<number> {
  if (args.length > 0) throw new UsageError('serve-model takes no arguments (see tempo help)');
  const port = options['port'] === undefined ? 8765 : Number(options['port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port must be a port number (0 picks a free one)');
  const dir = resolveModelDir(engine, typeof options['model'] === 'string' ? options['model'] : undefined);
  let device;
  try {
    device = checkDevice(typeof options['device'] === 'string' ? options['device'] : 'cpu');
  } catch (err) {
    if (err instanceof DeviceError) throw new UsageError(err.message);
    throw err;
  }
  const given = typeof options['token'] === 'string' ? options['token'] : undefined;
  if (given !== undefined && given.length < 8) throw new UsageError('--token must be at least 8 characters');
  const token = given ?? randomBytes(18).toString('base64url');
  const check = checkModelDir(dir);
  if (!check.manifest) throw new UsageError(`model ${dir} cannot be used: ${check.problems.join('; ')}`);
  const model = await loadModel(check.dir, check.manifest, device, { cache: engine.cache });
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
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
  return 0;
}

/** Where the built renderer is: out/renderer beside the package (TEMPO_RENDERER_DIR overrides). */
export function rendererDir(): string {
  const fromEnv = process.env['TEMPO_RENDERER_DIR'];
  if (fromEnv) return path.resolve(fromEnv);
  return fileURLToPath(new URL('../../../out/renderer', import.meta.url));
}

/** The shortest token `tempo serve --token` takes. */
const MIN_SERVE_TOKEN = 32;

/**
 * `tempo serve`: web mode. The renderer and the api over HTTP with server-sent events on
 * 127.0.0.1, behind a random token printed in the URL; jobs run in a worker thread.
 */
export async function cmdServe({ engine, out, args, options, signal }: CommandContext): Promise<number> {
  if (args.length > 0) throw new UsageError('serve takes no arguments (see tempo help)');
  const port = options['port'] === undefined ? 8766 : Number(options['port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port must be a port number (0 picks a free one)');
  const dir = rendererDir();
  if (!fs.existsSync(path.join(dir, 'index.html')))
    throw new UsageError(`the renderer is not built (${dir}/index.html is missing): run npm run build:app`);
  const given = typeof options['token'] === 'string' ? options['token'] : undefined;
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
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
  await runner.stop();
  return 0;
}
