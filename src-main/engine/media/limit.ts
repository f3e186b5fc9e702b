/**
 * A counting semaphore: at most `size` tasks run at once, the rest wait in order. Used to bound
 * the ffmpeg children that stills (posters, thumbnails) start, so a burst of requests (a result
 * list of 50 segments) does not start 50 decoders at once.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Most tasks seen running at once (for tests and diagnostics). */
  peak = 0;

  constructor(readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter (active stays the same), or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** ffmpeg children making stills (posters, thumbnails) at once in this process. */
export const STILL_SLOTS = 3;
export const stillSlots = new Semaphore(STILL_SLOTS);
