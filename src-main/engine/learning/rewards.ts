import { iou, type Span } from '../../../src-shared/span.js';
import type { AnswerProfile, ParsedAnswer } from '../models/profiles/types.js';

/**
 * The rewards a GRPO trainer should give an answer to a sample of `tempo export-training`
 * (docs/rewards.md). A sample's target is its `answer`: a span, or null when the event is
 * absent (a refusal sample). Every reward is in [0, 1]:
 *
 *   iou     = IoU(answer, target) when the answer parses to a span and the target is a span; else 0
 *   refusal = 1 when the target is null and the answer is the refusal; else 0
 *             (refusing a present event earns 0 here and 0 IoU: it gets the format reward only)
 *   format  = 1 when the answer parses with the model's answer profile (a span or the refusal); else 0
 *   total   = wIou * iou + wRefusal * refusal + wFormat * format
 *
 * With the default weights (1, 1, 1) a perfect answer scores 2 on either kind of sample.
 */
export interface Rewards {
  iou: number;
  refusal: number;
  format: number;
  total: number;
}

export interface RewardWeights {
  iou: number;
  refusal: number;
  format: number;
}

const DEFAULT_REWARD_WEIGHTS: Readonly<RewardWeights> = { iou: 1, refusal: 1, format: 1 };

/** IoU of a parsed span with the target span; 0 for a refusal, an unparsed answer or a refusal sample. */
export function iouReward(answer: ParsedAnswer, target: Span | null): number {
  if (target === null || answer.kind !== 'segment') return 0;
  return iou(answer, target);
}

/** 1 for refusing an absent event; 0 otherwise (answering it, or refusing a present one). */
export function refusalReward(answer: ParsedAnswer, target: Span | null): number {
  return target === null && answer.kind === 'refusal' ? 1 : 0;
}

/** 1 when the answer parses with the profile (a span or the refusal), 0 when it does not. */
export function formatReward(answer: ParsedAnswer): number {
  return answer.kind === 'unparsed' ? 0 : 1;
}

/** All three rewards of one answer text, read with the model's answer profile, and their weighted sum. */
export function rewardAnswer(
  text: string,
  target: Span | null,
  profile: AnswerProfile,
  weights: RewardWeights = DEFAULT_REWARD_WEIGHTS,
): Rewards {
  const answer = profile.parse(text);
  const r = { iou: iouReward(answer, target), refusal: refusalReward(answer, target), format: formatReward(answer) };
  return { ...r, total: weights.iou * r.iou + weights.refusal * r.refusal + weights.format * r.format };
}
