/** Measured costs per model and device: what a run measures, and how each run refines the stored rates. */
import { afterEach, describe, expect, it } from 'vitest';
import { COST_ALPHA, CostsRepo, measuredRates, SCAN_DEVICE, SCAN_MODEL } from '../../../src-main/engine/store/costs.js';
import { openTempStore } from '../../support/store.js';

let store: ReturnType<typeof openTempStore> | undefined;
afterEach(() => store?.close());

function repo(): CostsRepo {
  store = openTempStore();
  return new CostsRepo(store.db);
}

describe('measuredRates', () => {
  it("takes a run's own timings: model time per planned visual token, decoding and scan per minute", () => {
    expect(
      measuredRates({ totalMs: 12_000, decodeMs: 2_000, plannedTokens: 4_000, durationS: 120, scanMs: 3_000 }),
    ).toEqual({ tokenMs: 2.5, decodeMsPerMin: 1_000, scanMsPerMin: 1_500 });
  });

  it('measures nothing it cannot divide by: no tokens, no footage, no scan', () => {
    expect(measuredRates({ totalMs: 5, decodeMs: 1, plannedTokens: 0, durationS: 0 })).toEqual({
      tokenMs: null,
      decodeMsPerMin: null,
      scanMsPerMin: null,
    });
  });
});

describe('CostsRepo', () => {
  it('has nothing for a model and device no run measured', () => {
    expect(repo().get('A', 'cpu')).toBeUndefined();
  });

  it('takes the first run as it is, then weighs each rate toward the latest run', () => {
    const costs = repo();
    const first = costs.record('A', 'cpu', { tokenMs: 2, decodeMsPerMin: 1_000, scanMsPerMin: null });
    expect(first).toMatchObject({ tokenMs: 2, decodeMsPerMin: 1_000, scanMsPerMin: null, runs: 1 });
    costs.record('A', 'cpu', { tokenMs: 6, decodeMsPerMin: null, scanMsPerMin: null });
    const second = costs.get('A', 'cpu');
    expect(second).toMatchObject({ tokenMs: COST_ALPHA * 6 + (1 - COST_ALPHA) * 2, decodeMsPerMin: 1_000, runs: 2 });
    // Kept per model and device.
    expect(costs.get('A', 'cuda')).toBeUndefined();
    expect(costs.get('B', 'cpu')).toBeUndefined();
  });

  it("keeps a ground run's scan time apart, as the scan's own cost (it needs no model)", () => {
    const costs = repo();
    costs.recordRun('A', 'cpu', {
      totalMs: 9_000,
      decodeMs: 1_000,
      plannedTokens: 2_000,
      durationS: 60,
      scanMs: 4_000,
    });
    expect(costs.get('A', 'cpu')).toMatchObject({ tokenMs: 4, decodeMsPerMin: 1_000, scanMsPerMin: null, runs: 1 });
    expect(costs.scan()).toMatchObject({ model: SCAN_MODEL, device: SCAN_DEVICE, scanMsPerMin: 4_000, runs: 1 });
    costs.recordScan(2_000);
    expect(costs.scan()).toMatchObject({ scanMsPerMin: 3_000, runs: 2 });
  });
});
