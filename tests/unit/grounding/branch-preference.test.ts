import { describe, expect, it } from 'vitest';
import { branchPreference, type TokenChoice } from '../../../src-main/engine/grounding/branch-preference.js';

const ANSWER = 'The event happens in 3.0 - 5.0 seconds.';
const REFUSAL = 'The event does not happen in this video.';

const tok = (token: string, logprob: number, top: [string, number][] = []): TokenChoice => ({
  token,
  logprob,
  top_logprobs: top.map(([t, l]) => ({ token: t, logprob: l })),
});

describe('branchPreference', () => {
  it('compares the two branches where answer and refusal part', () => {
    const reply = [
      tok('The', -0.1, [['The', -0.1]]),
      tok(' event', -0.2, [[' event', -0.2]]),
      tok(' happens', -0.4, [
        [' happens', -0.4],
        [' does', -1.3],
        [' is', -3],
      ]),
      tok(' in', -0.1),
    ];
    expect(branchPreference(reply, ANSWER, REFUSAL)).toEqual({ answerLogProb: -0.4, refusalLogProb: -1.3 });
  });

  it('works the same when the reply takes the refusal branch', () => {
    const reply = [tok('The event', -0.1), tok(' does', -0.2, [[' happens', -2.5]])];
    expect(branchPreference(reply, ANSWER, REFUSAL)).toEqual({ answerLogProb: -2.5, refusalLogProb: -0.2 });
  });

  it('bounds a branch that is not listed by the lowest listed log-probability', () => {
    const reply = [tok('The event', -0.1), tok(' happens', -0.05, [[' was', -4]])];
    expect(branchPreference(reply, ANSWER, REFUSAL)).toEqual({ answerLogProb: -0.05, refusalLogProb: -4 });
  });

  it('gives up when the reply leaves the shared start, or when there are no log-probs', () => {
    expect(branchPreference([tok('Event', -0.1), tok(':', -0.1)], ANSWER, REFUSAL)).toBeNull();
    expect(branchPreference([], ANSWER, REFUSAL)).toBeNull();
  });

  it('reads the Time-R1 form, where the branch comes after <answer>', () => {
    const reply = [tok('<answer>', -0.01), tok('none', -0.9, [['3', -0.7]])];
    expect(branchPreference(reply, '<answer>3.00 to 5.00</answer>', '<answer>none</answer>')).toEqual({
      answerLogProb: -0.7,
      refusalLogProb: -0.9,
    });
  });
});
