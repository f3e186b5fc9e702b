/**
 * The grounding pipeline and its caller's abort signal: however many questions run side by
 * side, the run puts one listener on that signal (each question listens on a signal of its
 * own, as an HTTP client leaves a listener per request), takes it off at its end, and a
 * cancel still reaches every question in flight. Frames come from a cache: nothing decoded.
 */
import { getEventListeners } from 'node:events';
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiskCache } from '../../../src-main/engine/cache/disk-cache.js';
import type { Asked, AskOptions, GroundingBackend } from '../../../src-main/engine/grounding/backend.js';
import { groundRecording } from '../../../src-main/engine/grounding/pipeline.js';
import type { PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { getProfile } from '../../../src-main/engine/models/profiles/index.js';

const profile = getProfile('qwen2-vl')!;
const SIDE = 16;
/** Two frames a window: far more windows than the backend takes at once. */
const frames = Array.from({ length: 120 }, (_, i) => ({ t: i, width: SIDE, height: SIDE, tokens: 32 }));
const cache = {
  get: async () => Buffer.alloc(SIDE * SIDE * 3, 90),
  put: async () => true,
} as unknown as DiskCache;

/**
 * Takes `concurrency` questions at once, holding each until that many are in flight; listens
 * on each question's signal as the HTTP client does (a listener left there), and counts the
 * listeners on the caller's signal while it holds them.
 */
class Wide implements GroundingBackend {
  readonly modelName = 'wide';
  readonly device = 'wide';
  readonly pairsFrames = false;
  inFlight = 0;
  most = 0;
  listenersSeen = 0;
  private release: () => void = () => undefined;
  private readonly full = new Promise<void>((r) => (this.release = r));
  constructor(
    readonly concurrency: number,
    private readonly outer: AbortSignal,
  ) {}

  async ask(_groups: readonly (readonly PromptFrame[])[], _instruction: string, opts: AskOptions): Promise<Asked> {
    this.most = Math.max(this.most, ++this.inFlight);
    const cancelled = new Promise<never>((_, reject) =>
      opts.signal?.addEventListener('abort', () => reject(new Error('cancelled')), { once: true }),
    );
    cancelled.catch(() => undefined);
    if (this.inFlight === this.concurrency) this.release();
    this.listenersSeen = Math.max(this.listenersSeen, getEventListeners(this.outer, 'abort').length);
    try {
      await Promise.race([this.full, cancelled]);
    } finally {
      this.inFlight--;
    }
    return { texts: [profile.refusalText] };
  }
}

const run = (backend: Wide, signal: AbortSignal) =>
  groundRecording({
    source: { file: 'not-read.mp4', key: 'k', sourceFps: 25 },
    durationS: frames.length,
    query: 'a white box appears',
    frames,
    changePoints: [],
    backend,
    cache,
    profile,
    contextTokens: 64,
    samples: 1,
    signal,
  });

const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
beforeEach(() => void process.on('warning', onWarning));
afterEach(() => {
  process.off('warning', onWarning);
  warnings.length = 0;
});

describe('groundRecording and its abort signal', () => {
  it('puts one listener on the signal however many questions run side by side, and none after', async () => {
    const ctl = new AbortController();
    const backend = new Wide(32, ctl.signal);
    const out = await run(backend, ctl.signal);
    expect(out.windows.length).toBeGreaterThan(32);
    expect(backend.most).toBe(32);
    expect(backend.listenersSeen).toBe(1);
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
    await tick();
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });

  it('still cancels every question in flight', async () => {
    const ctl = new AbortController();
    const backend = new Wide(64, ctl.signal);
    const grounding = run(backend, ctl.signal);
    for (let i = 0; i < 50 && backend.inFlight < 32; i++) await tick();
    expect(backend.inFlight).toBeGreaterThanOrEqual(32);
    ctl.abort();
    await expect(grounding).rejects.toThrow('cancelled');
    expect(backend.inFlight).toBe(0);
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
  });
});
