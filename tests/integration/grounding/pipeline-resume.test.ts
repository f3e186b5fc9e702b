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
import {
  groundRecording,
  type DenseLook,
  type GroundInput,
  type WindowAnswer,
} from '../../../src-main/engine/grounding/pipeline.js';
import type { PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { getProfile } from '../../../src-main/engine/models/profiles/index.js';
import { makeVideo } from '../../fixtures/make-video.js';
import { boxAnswer, secondFrames } from './box-clip.js';

let source: GroundInput['source'];
/** A clip with two boxes far apart: two merged segments, two dense looks. */
let twoBoxes: GroundInput['source'];
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
  const two = await makeVideo({
    durationS: 30,
    width: 320,
    height: 180,
    events: [
      { kind: 'box', from: 3.2, to: 5.8, x: 40, y: 40, w: 80, h: 80, color: 'white' },
      { kind: 'box', from: 22.2, to: 25.8, x: 40, y: 40, w: 80, h: 80, color: 'white' },
    ],
  });
  twoBoxes = { file: two, key: two, sourceFps: 25 };
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

type Hooks = Pick<GroundInput, 'answered' | 'onWindow' | 'refined' | 'onRefined'>;

function ground(backend: Counting, hooks: Hooks = {}, contextTokens = 256, clip = source) {
  return groundRecording({
    source: clip,
    durationS: 30,
    query: 'a white box appears',
    frames,
    changePoints: clip === source ? [12.1, 15.9] : [3.1, 5.9, 22.1, 25.9],
    backend,
    profile,
    contextTokens,
    samples: 2,
    ...hooks,
  });
}

/** What the store gives back: the answer (or dense look) as JSON read again. */
const roundTrip = <T extends WindowAnswer | DenseLook>(a: T): T => JSON.parse(JSON.stringify(a)) as T;

/** A first run heard whole: its output and every window and dense look it handed on. */
async function heardRun(clip = source) {
  const windows: WindowAnswer[] = [];
  const looks: DenseLook[] = [];
  const backend = new Counting();
  const out = await ground(
    backend,
    { onWindow: (a) => windows.push(roundTrip(a)), onRefined: (l) => looks.push(roundTrip(l)) },
    256,
    clip,
  );
  const answered = new Map(windows.map((a) => [a.outcome.index, a]));
  return { out, backend, answered, looks };
}

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

  it('hands each dense look to onRefined, and a run with every window and look stored asks the backend nothing', async () => {
    const first = await heardRun();
    expect(first.out.segments).toHaveLength(1);
    expect(first.backend.looks).toBe(1);
    expect(first.looks).toHaveLength(1);
    expect(first.looks[0]?.index).toBe(0);
    expect(first.out.refinesReused).toBe(0);

    const again: DenseLook[] = [];
    const backend = new Counting();
    const refined = new Map(first.looks.map((l) => [l.index, l]));
    const out = await ground(backend, { answered: first.answered, refined, onRefined: (l) => again.push(l) });
    expect(backend.windows).toBe(0);
    expect(backend.looks).toBe(0);
    expect(again).toEqual([]);
    expect(out.refinesReused).toBe(1);
    expect(out.visualTokens).toBe(0);
    expect(out.timings.refineMs).toBe(0);
    expect(out.segments).toEqual(first.out.segments);
    expect(out.notes).toEqual(first.out.notes);

    // What is taken is the stored look itself: a stored refinement moved by hand comes out as stored.
    const look = first.looks[0]!;
    const moved = new Map([[0, { ...look, refined: { ...look.refined, startS: look.refined.startS - 0.5 } }]]);
    const taken = await ground(new Counting(), { answered: first.answered, refined: moved });
    expect(taken.segments.map((s) => s.startS)).toEqual([look.refined.startS - 0.5]);
  });

  it('asks the dense looks not stored, and those stored for another segment under the same index', async () => {
    const first = await heardRun(twoBoxes);
    expect(first.out.segments).toHaveLength(2);
    expect(first.looks.map((l) => l.index).sort()).toEqual([0, 1]);
    const byIndex = new Map(first.looks.map((l) => [l.index, l]));
    const look0 = byIndex.get(0)!;
    const look1 = byIndex.get(1)!;

    // Killed after the first look: only it is stored; the second is asked.
    const heard: DenseLook[] = [];
    const some = new Counting();
    const partial = new Map([[0, look0]]);
    const onRefined = (l: DenseLook) => heard.push(roundTrip(l));
    const out = await ground(some, { answered: first.answered, refined: partial, onRefined }, 256, twoBoxes);
    expect(some.windows).toBe(0);
    expect(some.looks).toBe(1);
    expect(out.refinesReused).toBe(1);
    expect(heard).toEqual([look1]);
    expect(out.visualTokens).toBeGreaterThan(0);
    expect(out.visualTokens).toBeLessThan(first.out.visualTokens);
    expect(out.segments).toEqual(first.out.segments);
    expect(out.notes).toEqual(first.out.notes);

    // A look stored for a segment merged another way is not taken for this one.
    const moved = { ...look1, asked: { ...look1.asked, startS: look1.asked.startS - 1 } };
    const other = new Counting();
    const out2 = await ground(
      other,
      {
        answered: first.answered,
        refined: new Map([
          [0, look0],
          [1, moved],
        ]),
      },
      256,
      twoBoxes,
    );
    expect(other.looks).toBe(1);
    expect(out2.refinesReused).toBe(1);
    expect(out2.segments).toEqual(first.out.segments);
  });
});
