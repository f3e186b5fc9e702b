import { EngineError, NotFoundError, renderInputs, UsageError, type InputName } from '../engine/errors.js';

/**
 * The CLI's names for the inputs an engine error can name (engine/errors.ts INPUT_NAMES): its
 * flags. A template's `{predictions FILE}` reads `--predictions FILE` here.
 */
export const FIELD_FLAGS: Readonly<Record<InputName, string>> = {
  budget: '--budget',
  samples: '--samples',
  device: '--device',
  context: '--context',
  model: '--model',
  dtype: '--dtype',
  revision: '--revision',
  token: '--token',
  format: '--format',
  annotations: '--annotations',
  predictions: '--predictions',
  videos: '--videos',
  durations: '--durations',
  limit: '--limit',
  out: '--out',
  id: '--id',
  since: '--since',
  candidates: '--candidates',
  refine: '--refine',
  refineBelow: '--refine-below',
  auditShare: '--audit-share',
};

/** An error's text as the CLI says it: an engine error's inputs named by their flags. */
function cliText(err: unknown): string {
  if (err instanceof EngineError)
    return renderInputs(err.template, (input, hint) => (hint ? `${FIELD_FLAGS[input]} ${hint}` : FIELD_FLAGS[input]));
  return err instanceof Error ? err.message : String(err);
}

/**
 * How the CLI ends on an error, the one place it translates one: the line for stderr (without
 * the `tempo: ` prefix) and the exit status. A usage mistake or something that does not exist
 * (an unknown recording, job or model) exits 2; anything else (a failed or cancelled job, a
 * database that cannot be written, a bug) exits 1.
 */
export function cliError(err: unknown): { message: string; exitCode: number } {
  const usage = err instanceof UsageError || err instanceof NotFoundError;
  return { message: cliText(err).split('\n')[0] ?? '', exitCode: usage ? 2 : 1 };
}
