/**
 * The grounding pipeline with a backend that takes several questions at once (a pool of model
 * servers): windows and second looks asked side by side, up to the backend's concurrency, on
 * real decoded frames; the outcome the same as one at a time, in window order, whatever
 * order the answers come back in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AskOptions, Asked, GroundingBackend } from '../../../src-main/engine/grounding/backend.js';
import { groundRecording, type GroundInput } from '../../../src-main/engine/grounding/pipeline.js';
import type { PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { getProfile } from '../../../src-main/engine/models/profiles/index.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { boxAnswer, secondFrames } from './box-clip.js';

let source: GroundInput['source'];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tempo-pipeline-concurrency-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  const clip = await makeVideo({
    durationS: 30,
    width: 320,
    height: 180,
    events: [
      { kind: 'box', from: 4.2, to: 7.8, x: 40, y: 40, w: 80, h: 80, color: 'white' },
      { kind: 'box', from: 22.2, to: 25.8, x: 40, y: 40, w: 80, h: 80, color: 'white' },
    ],
  });
  source = { file: clip, key: clip, sourceFps: 25 };
});

const frames = secondFrames(30);
const profile = getProfile('qwen2-vl')!;

/**
 * Answers the box's span where a frame shows it (and an unreadable answer too, for a note),
 * else refuses. With a concurrency, its first questions wait for each other until that many
 * are in flight (5 s at most), then are answered last asked first: out of order.
 */
class SideBySide implements GroundingBackend {
  readonly modelName = 'scripted';
  readonly device = 'side by side';
  readonly pairsFrames = false;
  inFlight = 0;
  most = 0;
  asked = 0;
  private open: () => void = () => undefined;
  private readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  constructor(readonly concurrency: number | undefined) {}

  async ask(groups: readonly (readonly PromptFrame[])[], _instruction: string, opts: AskOptions): Promise<Asked> {
    this.most = Math.max(this.most, ++this.inFlight);
    const order = this.asked++;
    const held = this.concurrency ?? 0;
    if (order < held) {
      if (order === held - 1) this.open();
      await Promise.race([this.opened, sleep(5000)]);
      await sleep(15 * (held - order));
    }
    this.inFlight--;
    return { ...boxAnswer(groups, opts.samples), server: this.concurrency ? `http://s${order % 2}/v1` : undefined };
  }
}

async function ground(backend: SideBySide) {
  const progress: number[] = [];
  const out = await groundRecording({
    source,
    durationS: 30,
    query: 'a white box appears',
    frames,
    changePoints: [4.1, 7.9, 22.1, 25.9],
    backend,
    profile,
    contextTokens: 256,
    samples: 2,
    onProgress: (f) => progress.push(f),
  });
  return { out, progress };
}

describe('groundRecording with a backend that takes several questions at once', () => {
  it('asks up to its concurrency at a time and gives what one at a time gives, in window order', async () => {
    const one = new SideBySide(undefined);
    const alone = await ground(one);
    const backend = new SideBySide(3);
    const shared = await ground(backend);
    expect(shared.out.windows.length).toBeGreaterThanOrEqual(4);
    expect(backend.most).toBe(3);
    const strip = (ws: typeof alone.out.windows) => ws.map(({ server: _server, ...w }) => w);
    expect(strip(shared.out.windows)).toEqual(alone.out.windows);
    expect(shared.out.windows.map((w) => w.index)).toEqual(shared.out.windows.map((_, i) => i));
    expect(shared.out.windows.every((w) => /^http:\/\/s[01]\/v1$/.test(w.server ?? ''))).toBe(true);
    expect(shared.out.segments).toEqual(alone.out.segments);
    expect(shared.out.segments).toHaveLength(2);
    expect(shared.out.notes).toEqual(alone.out.notes);
    expect(shared.out.notes.length).toBeGreaterThan(0);
    for (const { progress } of [alone, shared]) {
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(progress.at(-1)).toBe(1);
    }
    // A backend without a concurrency is asked one question at a time, as before.
    expect(one.most).toBe(1);
    expect(alone.out.windows.every((w) => w.server === undefined)).toBe(true);
  });
});
