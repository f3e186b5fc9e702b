import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesced } from '../../../src-renderer/src/lib/coalesce.js';

describe('coalesced', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs once for a burst of triggers, then once more for those that came during the run', async () => {
    const resolvers: (() => void)[] = [];
    const run = vi.fn(() => new Promise<void>((resolve) => resolvers.push(resolve)));
    const trigger = coalesced(run, 100, () => Date.now());
    trigger();
    trigger();
    trigger();
    expect(run).toHaveBeenCalledTimes(1);
    resolvers[0]?.();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(2);
    resolvers[1]?.();
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('keeps going after a failed run', async () => {
    let calls = 0;
    const trigger = coalesced(
      () => {
        calls++;
        return calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve();
      },
      0,
      () => Date.now(),
    );
    trigger();
    await vi.advanceTimersByTimeAsync(0);
    trigger();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
  });
});
