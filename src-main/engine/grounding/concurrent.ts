/**
 * Runs `fn` over `items` with at most `limit` calls in flight, started in item order, and
 * returns the results in item order whatever order they finish in. With a limit of 1 it is
 * a plain loop: each call starts when the one before has ended.
 *
 * On the first failure no further item starts; the calls already running are awaited, then
 * that first failure is thrown. So no work of a failed run goes on after it has returned
 * (a cancelled query leaves nothing behind, and the caller never sees a late rejection).
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const failures: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (failures.length === 0 && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (err) {
        failures.push(err);
      }
    }
  };
  const workers = Math.max(1, Math.min(Number.isFinite(limit) ? Math.floor(limit) : 1, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failures.length > 0) throw failures[0];
  return results;
}

/** A signal of its own for one call of a run, and `close` once the call is done with it. */
export interface CallSignal {
  signal: AbortSignal | undefined;
  close(): void;
}

/**
 * One abort listener on `outer` for a whole run, however many calls run side by side: each
 * call gets a signal of its own (`open`), aborted from that one listener, so what listens per
 * call (ffmpeg, a pool's wait, an HTTP client that leaves a listener per request) listens on
 * the call's signal and `outer` never gathers enough listeners for Node to warn of a leak.
 * `stop` takes the listener off at the run's end.
 */
export function callSignals(outer: AbortSignal | undefined): { open(): CallSignal; stop(): void } {
  const open = new Set<AbortController>();
  const onAbort = (): void => {
    for (const c of open) c.abort(outer?.reason);
  };
  outer?.addEventListener('abort', onAbort, { once: true });
  return {
    open: () => {
      if (!outer) return { signal: undefined, close: () => undefined };
      const c = new AbortController();
      if (outer.aborted) c.abort(outer.reason);
      else open.add(c);
      return { signal: c.signal, close: () => void open.delete(c) };
    },
    stop: () => outer?.removeEventListener('abort', onAbort),
  };
}
