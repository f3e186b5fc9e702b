import type { ParsedAnswer } from '../models/profiles/types.js';
import { iou, type Span } from '../../../src-shared/span.js';

/**
 * Confidence of a window's answer, from the model itself:
 *
 *   agreement = mean over the K sampled answers of IoU(sample, consensus)
 *               (a refusal or unparsed sample counts 0)
 *   pAnswer   = sigmoid(meanLogProb(answer tokens) - meanLogProb(refusal tokens))
 *               (both continuations scored by the model on the same prompt; mean per token,
 *                so a long answer is not penalised for its length)
 *   confidence = sqrt(agreement * pAnswer)
 *
 * The geometric mean is high only when the samples agree AND the model prefers answering
 * to refusing. With K = 1 agreement is 1 and confidence is pAnswer; without log-probs
 * (a server that offers none) pAnswer is 0.5 and confidence rests on agreement.
 * A model server cannot score a given text, so there the two log-probabilities are those of
 * the first token of each branch where answer and refusal part (branch-preference.ts).
 */
export interface ConfidenceInput {
  samples: readonly ParsedAnswer[];
  /** Mean log-probability per token of the consensus answer, when known. */
  answerLogProb?: number;
  /** Mean log-probability per token of the profile's refusal text, when known. */
  refusalLogProb?: number;
}

export interface Consensus {
  segment: Span | null;
  agreement: number;
  pAnswer: number;
  confidence: number;
  /** How many samples refused or did not parse. */
  refusals: number;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The sample segment with the highest mean IoU to all samples (the medoid). */
export function consensusSegment(samples: readonly ParsedAnswer[]): { segment: Span | null; agreement: number } {
  const segs = samples.flatMap((s) => (s.kind === 'segment' ? [{ startS: s.startS, endS: s.endS }] : []));
  // When most samples refuse (or do not parse), the window's answer is a refusal.
  if (segs.length === 0 || segs.length * 2 < samples.length) return { segment: null, agreement: 0 };
  let best: Span | null = null;
  let bestScore = -1;
  for (const c of segs) {
    const score = samples.reduce((acc, s) => acc + (s.kind === 'segment' ? iou(c, s) : 0), 0) / samples.length;
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return { segment: best, agreement: Math.max(0, bestScore) };
}

export function scoreConfidence(input: ConfidenceInput): Consensus {
  const refusals = input.samples.filter((s) => s.kind !== 'segment').length;
  const { segment, agreement } = consensusSegment(input.samples);
  const haveProbs = input.answerLogProb !== undefined && input.refusalLogProb !== undefined;
  const pAnswer = haveProbs ? sigmoid((input.answerLogProb as number) - (input.refusalLogProb as number)) : 0.5;
  const confidence = segment ? Math.sqrt(agreement * pAnswer) : 0;
  return { segment, agreement, pAnswer, confidence, refusals };
}
