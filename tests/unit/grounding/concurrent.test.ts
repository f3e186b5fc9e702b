/** mapConcurrent: at most `limit` in flight, started in order, results in item order, the first failure ends it. */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mapConcurrent } from '../../../src-main/engine/grounding/concurrent.js';

describe('mapConcurrent', () => {
  it('keeps results in item order whatever order they finish in, never more than the limit at once', async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const out = await mapConcurrent([50, 10, 30, 0, 20, 5], 3, async (ms, i) => {
      started.push(i);
      most = Math.max(most, ++inFlight);
      await sleep(ms);
      inFlight--;
      return `item ${i}`;
    });
    expect(out).toEqual(['item 0', 'item 1', 'item 2', 'item 3', 'item 4', 'item 5']);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(3);
  });

  it('runs one at a time with a limit of 1 (or less, or none usable)', async () => {
    for (const limit of [1, 0, Number.NaN]) {
      const order: string[] = [];
      await mapConcurrent([20, 0], limit, async (ms, i) => {
        order.push(`start ${i}`);
        await sleep(ms);
        order.push(`end ${i}`);
      });
      expect(order, String(limit)).toEqual(['start 0', 'end 0', 'start 1', 'end 1']);
    }
  });

  it('starts nothing after the first failure, waits for the calls running, then throws that failure', async () => {
    const started: number[] = [];
    const ended: number[] = [];
    const run = mapConcurrent([0, 1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      await sleep(i === 1 ? 5 : 30);
      if (i === 1) throw new Error('window 1 failed');
      ended.push(i);
    });
    await expect(run).rejects.toThrow('window 1 failed');
    // 0 was running when 1 failed: it ended before the call returned, and nothing started after 1.
    expect(started).toEqual([0, 1]);
    expect(ended).toEqual([0]);
  });

  it('returns nothing for no items', async () => {
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
  });
});
