// What the scripted-backend pipeline tests share: a frame plan of one 224x112 frame a second,
// and whether a decoded frame shows the white box their clips draw at (40, 40).
import type { PlannedFrame } from '../../../src-shared/scans.js';
import type { Asked } from '../../../src-main/engine/grounding/backend.js';
import type { PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { getProfile } from '../../../src-main/engine/models/profiles/index.js';

/** The answer profile the scripted answers speak. */
export const PROFILE = getProfile('qwen2-vl')!;

/** One 224x112 frame a second over `seconds`. */
export function secondFrames(seconds: number): PlannedFrame[] {
  return Array.from({ length: seconds }, (_, i) => ({ t: i, width: 224, height: 112, tokens: 32 }));
}

/** Whether the frame shows the white box (its pixel at 40% height, 25% width is white). */
export function showsBox(f: PromptFrame): boolean {
  const o = (Math.floor(f.height * 0.4) * f.width + Math.floor(f.width * 0.25)) * 3;
  return (f.data[o] ?? 0) > 200 && (f.data[o + 1] ?? 0) > 200;
}

/**
 * What a scripted backend answers: the box's span where a frame shows it, else a refusal, then
 * an unreadable answer (a note) when more samples are asked; the answer liked over refusal.
 */
export function boxAnswer(groups: readonly (readonly PromptFrame[])[], samples: number): Asked {
  const fs = groups.flat();
  const seen = fs.filter(showsBox).map((f) => f.t);
  const text = seen.length
    ? `The event happens in ${Math.min(...seen)} - ${Math.max(...seen)} seconds.`
    : PROFILE.refusalText;
  return {
    texts: [text, `not sure ${fs[0]?.t}`].slice(0, samples),
    compare: async () => ({ answerLogProb: -0.5, refusalLogProb: -3 }),
  };
}
