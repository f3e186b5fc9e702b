import { EngineError, UsageError } from '../../engine/errors.js';
import { PullError } from '../../engine/models/errors.js';
import { DEFAULT_ENDPOINT, formatBytes, pullModel, type Pulled } from '../../engine/models/pull.js';
import type { CommandContext } from '../context.js';
import { installOptions, stringOption } from '../options.js';
import type { Output } from '../output.js';
import { progressLine } from '../progress.js';

/** Prints what a pull installed, human or JSON. */
function reportPulled(out: Output, pulled: Pulled): void {
  const m = pulled.manifest;
  out.result(
    {
      repo: pulled.repo,
      commit: pulled.commit,
      name: m?.name ?? null,
      dir: pulled.dir,
      family: m?.family ?? null,
      profile: m?.profile ?? null,
      dtype: m?.dtype ?? null,
      files: pulled.files,
      bytes: pulled.bytes,
      notices: pulled.notices,
    },
    () =>
      [
        ...pulled.notices,
        `installed ${m?.name} (${m?.family} / ${m?.profile}, ${formatBytes(pulled.bytes)}) from ${pulled.repo}@${pulled.commit.slice(0, 12)} in ${pulled.dir}; use it with --model ${m?.name}`,
      ].join('\n'),
  );
}

/**
 * `tempo models pull REPO [--revision R] [--dtype D] [--device D] [--name N] [--profile P]`:
 * a transformers.js ONNX export fetched from the hub (HF_ENDPOINT, token from HF_TOKEN),
 * only the chosen dtype's files, resumable and checksummed, then installed.
 */
export async function cmdModelsPull(ctx: CommandContext): Promise<number> {
  const { engine, out, args, options, signal } = ctx;
  if (args.length !== 2) throw new UsageError('models pull needs one repo (owner/name)');
  const repo = args[1] as string;
  const revision = stringOption(options, 'revision');
  if (revision !== undefined && revision.trim() === '')
    throw new UsageError('--revision needs a branch, tag or commit');
  const opts = installOptions(options);
  const token = process.env['HF_TOKEN']?.trim() || undefined;
  const show = progressLine(out);
  let pulled;
  try {
    pulled = await pullModel(engine.paths.home, {
      repo,
      ...(revision ? { revision } : {}),
      ...opts,
      endpoint: process.env['HF_ENDPOINT']?.trim() || DEFAULT_ENDPOINT,
      ...(token ? { token } : {}),
      signal,
      onProgress: (p) => show(p.stage === 'download' ? `downloading ${repo}` : 'installing', p.doneBytes, p.totalBytes),
    });
  } catch (err) {
    if (err instanceof PullError) {
      const line = `cannot pull ${repo}: ${err.template}`;
      throw err.usage ? new UsageError(line) : new EngineError(line);
    }
    throw err;
  } finally {
    out.done();
  }
  reportPulled(out, pulled);
  return 0;
}
