/**
 * The grounding pipeline's two hooks for a query job that is taken up again: `onWindow` hears
 * each window as it is answered (to store it at once), `answered` gives windows answered
 * before, which are taken as they are instead of asked. On real decoded frames with a scripted
 * backend that counts what it is asked: a run resumed from stored windows asks only the rest
 * and ends exactly where one uninterrupted run ends; answers of other windows are not taken.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AskOptions, Asked, GroundingBackend } from '../../../src-main/engine/grounding/backend.js';
import { groundRecording, type GroundInput, type WindowAnswer } from '../../../src-main/engine/grounding/pipeline.js';
import type { PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { getProfile } from '../../../src-main/engine/models/profiles/index.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { boxAnswer, secondFrames } from './box-clip.js';

let source: GroundInput['source'];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tempo-pipeline-resume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  const clip = await makeVideo({
    durationS: 30,
    width: 320,
    height: 180,
    events: [{ kind: 'box', from: 12.2, to: 15.8, x: 40, y: 40, w: 80, h: 80, color: 'white' }],
  });
  source = { file: clip, key: clip, sourceFps: 25 };
});

const frames = secondFrames(30);
const profile = getProfile('qwen2-vl')!;

/** Answers the box's span where a frame shows it, else refuses; counts the windows (2 samples) and second looks (1) asked. */
class Counting implements GroundingBackend {
  readonly modelName = 'scripted';
  readonly device = 'counting';
  readonly pairsFrames = false;
  windows = 0;
  looks = 0;

  async ask(groups: readonly (readonly PromptFrame[])[], _instruction: string, opts: AskOptions): Promise<Asked> {
    if (opts.samples > 1) this.windows++;
    else this.looks++;
    return boxAnswer(groups, opts.samples);
  }
}

function ground(backend: Counting, hooks: Pick<GroundInput, 'answered' | 'onWindow'> = {}, contextTokens = 256) {
  return groundRecording({
    source,
    durationS: 30,
    query: 'a white box appears',
    frames,
    changePoints: [12.1, 15.9],
    backend,
    profile,
    contextTokens,
    samples: 2,
    ...hooks,
  });
}

/** What the store gives back: the answer as JSON read again. */
const roundTrip = (a: WindowAnswer): WindowAnswer => JSON.parse(JSON.stringify(a)) as WindowAnswer;

describe('groundRecording taken up again', () => {
  it('hands each window to onWindow as it is answered, and reuses the stored ones instead of asking them', async () => {
    const heard: WindowAnswer[] = [];
    const first = new Counting();
    const whole = await ground(first, { onWindow: (a) => heard.push(roundTrip(a)) });
    expect(whole.windows.length).toBeGreaterThanOrEqual(4);
    expect(whole.reused).toBe(0);
    expect(first.windows).toBe(whole.windows.length);
    expect(heard.map((a) => a.outcome)).toEqual(whole.windows);
    expect(heard.filter((a) => a.found !== null).length).toBeGreaterThan(0);
    expect(heard.flatMap((a) => a.notes).length).toBeGreaterThan(0);

    // Killed after the first half of its windows: those are stored, the rest asked.
    const half = Math.floor(heard.length / 2);
    const stored = new Map(heard.slice(0, half).map((a) => [a.outcome.index, a]));
    const again: WindowAnswer[] = [];
    const second = new Counting();
    const resumed = await ground(second, { answered: stored, onWindow: (a) => again.push(roundTrip(a)) });
    expect(resumed.reused).toBe(half);
    expect(second.windows).toBe(whole.windows.length - half);
    expect(again.map((a) => a.outcome.index)).toEqual(heard.slice(half).map((a) => a.outcome.index));
    expect(resumed.windows).toEqual(whole.windows);
    expect(resumed.segments).toEqual(whole.segments);
    expect(resumed.notes).toEqual(whole.notes);
    expect(resumed.segments).toHaveLength(1);
  });

  it('asks again the windows of a plan cut another way, whatever their indices', async () => {
    const heard: WindowAnswer[] = [];
    await ground(new Counting(), { onWindow: (a) => heard.push(roundTrip(a)) }, 256);
    const other = new Counting();
    const out = await ground(other, { answered: new Map(heard.map((a) => [a.outcome.index, a])) }, 192);
    expect(out.reused).toBe(0);
    expect(other.windows).toBe(out.windows.length);
  });
});
