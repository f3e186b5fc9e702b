/**
 * Two scripted detectors that read the decoded frames they are shown, standing in for the two
 * models of two-stage grounding in `npm run bench -- two-stage-boundaries`.
 *
 * What either one sees in a frame: the bench clips draw their events (boxes in white or yellow,
 * a red box that moves) over a flat grey background (0x606060, with sensor-like noise). A pixel
 * belongs to an object when one of its channels is above OBJECT_LEVEL; a frame shows an object
 * when at least OBJECT_SHARE of its pixels do. Nothing else is known to it: not where the clip
 * draws its events, nor when.
 *
 * The refining detector (the large model): where any frame of the question shows an object, it
 * answers the span from the first to the last such frame's time, every sample the same, and likes
 * that answer well over refusing (log-probabilities -0.5 against -3: confidence about 0.96).
 * Where none does, it refuses.
 *
 * The candidate detector (the light model) reads the same pixels of the frames it is given (stage
 * 1 gives it the plan's frames capped to the smallest size), but:
 * - it notices an object only when at least CANDIDATE_MIN_FRAMES of the window's frames show it,
 *   so a short event, or the sliver of one at a window's edge, is missed (it refuses);
 * - it answers the same span rule, every sample the same, and is sure (-0.5 against -3) only when
 *   the object shows in at least CANDIDATE_SURE_SHARE of the window's frames and in neither its
 *   first nor its last frame; otherwise it is unsure (-3 against -0.5: confidence about 0.28),
 *   so the event may run on past the window and the candidate goes to the second stage.
 */
import type { AskOptions, Asked, GroundingBackend, Preference } from '../../src-main/engine/grounding/backend.js';
import type { PromptFrame } from '../../src-main/engine/models/local/prompt.js';
import { getProfile } from '../../src-main/engine/models/profiles/index.js';

/** The answer profile both detectors speak. */
export const PROFILE = getProfile('qwen2-vl')!;

/** A channel above this is an object's pixel, never the grey background (96, noise a few levels). */
export const OBJECT_LEVEL = 180;
/** The share of a frame's pixels that must be an object's for the frame to show one. */
export const OBJECT_SHARE = 0.005;
/** Frames of a window that must show an object before the candidate notices it. */
export const CANDIDATE_MIN_FRAMES = 2;
/** The share of a window's frames showing the object above which the candidate can be sure. */
export const CANDIDATE_SURE_SHARE = 0.5;

const SURE: Preference = { answerLogProb: -0.5, refusalLogProb: -3 };
const UNSURE: Preference = { answerLogProb: -3, refusalLogProb: -0.5 };

/** Whether a decoded frame shows an object (see the file's comment). */
export function showsObject(f: PromptFrame): boolean {
  const pixels = f.width * f.height;
  let hits = 0;
  for (let i = 0; i < pixels * 3; i += 3) {
    if ((f.data[i] ?? 0) > OBJECT_LEVEL || (f.data[i + 1] ?? 0) > OBJECT_LEVEL || (f.data[i + 2] ?? 0) > OBJECT_LEVEL)
      hits++;
  }
  return hits >= pixels * OBJECT_SHARE;
}

/** The answer text from the first to the last of `seen`, times in seconds. */
function spanText(seen: readonly number[]): string {
  return PROFILE.answerText({ startS: Math.min(...seen), endS: Math.max(...seen) });
}

/** A detector asked through the engine's backend interface; it counts the questions it was asked. */
abstract class Detector implements GroundingBackend {
  abstract readonly modelName: string;
  readonly device = 'scripted';
  readonly pairsFrames = false;
  questions = 0;

  async ask(groups: readonly (readonly PromptFrame[])[], _instruction: string, opts: AskOptions): Promise<Asked> {
    this.questions++;
    const frames = groups.flat();
    return this.answer(frames, frames.map(showsObject), opts.samples);
  }

  protected abstract answer(frames: readonly PromptFrame[], shows: readonly boolean[], samples: number): Asked;
}

/** The refining detector: the span of every frame showing an object, confidently; else a refusal. */
export class RefiningDetector extends Detector {
  readonly modelName = 'refining-detector';

  protected answer(frames: readonly PromptFrame[], shows: readonly boolean[], samples: number): Asked {
    const seen = frames.filter((_, i) => shows[i]).map((f) => f.t);
    if (seen.length === 0) return { texts: Array<string>(samples).fill(PROFILE.refusalText) };
    return { texts: Array<string>(samples).fill(spanText(seen)), compare: async () => SURE };
  }
}

/** The candidate detector: blind to objects in fewer than two frames, unsure of partial or edge sightings. */
export class CandidateDetector extends Detector {
  readonly modelName = 'candidate-detector';

  protected answer(frames: readonly PromptFrame[], shows: readonly boolean[], samples: number): Asked {
    const seen = frames.filter((_, i) => shows[i]).map((f) => f.t);
    if (seen.length < CANDIDATE_MIN_FRAMES) return { texts: Array<string>(samples).fill(PROFILE.refusalText) };
    const atEdge = shows[0] === true || shows.at(-1) === true;
    const sure = seen.length >= frames.length * CANDIDATE_SURE_SHARE && !atEdge;
    return { texts: Array<string>(samples).fill(spanText(seen)), compare: async () => (sure ? SURE : UNSURE) };
  }
}
