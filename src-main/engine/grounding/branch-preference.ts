import type { Preference } from './backend.js';

/** One generated token with its log-probability and the likeliest alternatives (OpenAI's logprobs.content). */
export interface TokenChoice {
  token: string;
  logprob: number;
  top_logprobs?: { token: string; logprob: number }[];
}

/** Whether a token can begin `rest`: it is a prefix of it, or it covers all of it. */
function begins(token: string, rest: string): boolean {
  return token.length > 0 && rest.length > 0 && (rest.startsWith(token) || token.startsWith(rest));
}

/**
 * Answer against refusal from a server's log-probabilities, where the whole texts cannot be
 * scored: walk the greedy reply while it follows the part the two texts share ("The event
 * "); at the token where they part (" happens" against " does"), compare the best
 * log-probability of a token that starts each branch. A branch missing from the listed
 * alternatives gets the lowest listed log-probability (an upper bound on its own).
 * Null when the reply leaves the shared part first, or when neither branch is listed.
 */
export function branchPreference(choices: readonly TokenChoice[], answer: string, refusal: string): Preference | null {
  let prefix = '';
  for (const c of choices) {
    if (!answer.startsWith(prefix) || !refusal.startsWith(prefix)) return null;
    const a = answer.slice(prefix.length);
    const r = refusal.slice(prefix.length);
    const listed = [{ token: c.token, logprob: c.logprob }, ...(c.top_logprobs ?? [])];
    if (begins(c.token, a) && begins(c.token, r)) {
      prefix += c.token;
      continue;
    }
    const best = (rest: string, other: string) =>
      Math.max(...listed.filter((t) => begins(t.token, rest) && !begins(t.token, other)).map((t) => t.logprob));
    const floor = Math.min(...listed.map((t) => t.logprob));
    const la = best(a, r);
    const lr = best(r, a);
    if (la === -Infinity && lr === -Infinity) return null;
    return {
      answerLogProb: la === -Infinity ? floor : la,
      refusalLogProb: lr === -Infinity ? floor : lr,
    };
  }
  return null;
}
