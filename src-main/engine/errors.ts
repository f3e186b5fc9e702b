/**
 * The errors of the engine, at the bottom of it: every floor may raise them, none is about
 * a shell. Messages are one line for an operator and speak of the engine (the scan budget,
 * the query), never of a CLI flag or a form field: the CLI (cli/errors.ts) and the UI
 * transports (api/call-error.ts) each translate them in one place.
 */

/**
 * The inputs a usage error can be about, as the engine names them. A usage error's template
 * marks where it names one, `{budget}`, optionally with a hint of the value's form for shells
 * that show one (`{predictions FILE}`); each shell renders the template with its own names
 * (the CLI its flags, the UI its labels), and `message` is the engine's own rendering.
 */
export const INPUT_NAMES = {
  budget: 'the scan budget',
  samples: 'the number of samples',
  device: 'the device',
  context: 'the context size',
  model: 'a model name or folder',
  dtype: 'the dtype',
  revision: 'the revision',
  token: 'the token setting',
  format: 'format',
  annotations: 'the annotations file',
  predictions: 'the predictions file',
  videos: 'the videos folder',
  durations: 'the durations file',
  limit: 'the limit',
  out: 'the output file',
  id: 'export id',
  since: 'since',
  candidates: 'the candidate model',
  refine: 'the refining backend',
  refineBelow: 'the refining threshold',
  auditShare: 'the audit share',
} as const;
export type InputName = keyof typeof INPUT_NAMES;

const MARK = /\{(\w+)(?: ([^{}]+))?\}/g;

/** A usage error's template with each `{input hint}` mark replaced by `name(input, hint)`; unknown marks stay. */
export function renderInputs(template: string, name: (input: InputName, hint: string | undefined) => string): string {
  return template.replace(MARK, (mark, key: string, hint: string | undefined) =>
    Object.hasOwn(INPUT_NAMES, key) ? name(key as InputName, hint) : mark,
  );
}

/** The inputs a usage error's template names, in order. */
export function inputsOf(template: string): InputName[] {
  return [...template.matchAll(MARK)]
    .map((m) => m[1] as string)
    .filter((k): k is InputName => Object.hasOwn(INPUT_NAMES, k));
}

/**
 * An error the engine raises on purpose, one line for the operator. A template that names
 * inputs marks them `{budget}` (INPUT_NAMES); `message` is the engine's rendering, and the
 * shells render `template` with their own names.
 */
export class EngineError extends Error {
  override name = 'EngineError';
  readonly template: string;
  constructor(template: string) {
    super(renderInputs(template, (input) => INPUT_NAMES[input]));
    this.template = template;
  }
}

/** A mistake in what the caller asked for (a bad value, an impossible combination): CLI exit 2, HTTP 400. */
export class UsageError extends EngineError {
  override name = 'UsageError';
}

/** The thing asked for does not exist (unknown recording, job, model): CLI exit 2, HTTP 404. */
export class NotFoundError extends EngineError {
  override name = 'NotFoundError';
}

/** The database file is newer than this build, damaged, or cannot be written. */
export class StoreError extends EngineError {
  override name = 'StoreError';
}

/** A job this call waited for failed or was cancelled; the message starts with what it was. */
export class JobFailedError extends EngineError {
  override name = 'JobFailedError';
}

/** Thrown inside a job handler to end its job as cancelled (its signal was aborted). */
export class JobCancelledError extends EngineError {
  override name = 'JobCancelledError';
  constructor() {
    super('cancelled');
  }
}
