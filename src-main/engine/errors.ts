/**
 * The errors of the engine, at the bottom of it: every floor may raise them, none is about
 * a shell. Messages are one line for an operator and speak of the engine (the scan budget,
 * the query), never of a CLI flag or a form field: the CLI (cli/errors.ts) and the UI
 * transports (api/call-error.ts) each translate them in one place.
 */

/** An error the engine raises on purpose; its message is meant for the operator as it is. */
export class EngineError extends Error {
  override name = 'EngineError';
}

/**
 * A mistake in what the caller asked for (a bad value, an impossible combination): CLI exit
 * 2, HTTP 400. `field` names the input at fault in the engine's words ('budget', 'samples',
 * 'device', ...); a message about a field starts with that word, so a shell can put its own
 * name for it (a flag, a label) in its place.
 */
export class UsageError extends EngineError {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
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
