/** A mistake in what the caller asked for (unknown id, bad argument): CLI exit 2, HTTP 400. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The thing asked for does not exist: CLI exit 1, HTTP 404. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
