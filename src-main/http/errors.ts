/**
 * The one error the HTTP shells throw to answer with a status (the web server, the model
 * server, the tempo-media: protocol), and the status any other error is answered with.
 */
import { toCallError } from '../engine/api/call-error.js';
import { MediaRouteError } from '../engine/api/media.js';

/** An answer to send instead of the one asked for: `status` with a one-line `message`. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The HTTP status of `error`: an HttpError's or MediaRouteError's own; for an engine error,
 * what the contract's transports answer (400 usage, 404 not found, 500 anything else).
 */
export function statusOf(error: unknown): number {
  if (error instanceof HttpError || error instanceof MediaRouteError) return error.status;
  return toCallError(error).status;
}
