/**
 * Coalesced refresh: however many events ask for it, at most one run is in flight and at
 * most one more is queued behind it, started no sooner than `minGapMs` after the last
 * began. Progress events arrive many times a second; the views refetch a few times.
 */
export function coalesced(run: () => Promise<void>, minGapMs = 250, now: () => number = Date.now): () => void {
  let running = false;
  let queued = false;
  let lastStart = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const start = (): void => {
    timer = null;
    running = true;
    queued = false;
    lastStart = now();
    run()
      .catch(() => {
        // `run` reports its own errors; a failed refresh must not stop the next one.
      })
      .finally(() => {
        running = false;
        if (queued) trigger();
      });
  };

  const trigger = (): void => {
    if (running) {
      queued = true;
      return;
    }
    if (timer !== null) return;
    const wait = lastStart + minGapMs - now();
    if (wait <= 0) start();
    else timer = setTimeout(start, wait);
  };

  return trigger;
}
