import { describe, expect, it } from 'vitest';
import { formatReward, iouReward, refusalReward, rewardAnswer } from '../../../src-main/engine/learning/rewards.js';
import { qwen2VlProfile } from '../../../src-main/engine/models/profiles/qwen2-vl.js';
import { timeR1Profile } from '../../../src-main/engine/models/profiles/time-r1.js';

const target = { startS: 4, endS: 8 };

describe('rewards', () => {
  it('IoU of the parsed span with the target: [2,6] against [4,8] is 2/6', () => {
    expect(rewardAnswer('The event happens in 2.0 - 6.0 seconds.', target, qwen2VlProfile)).toEqual({
      iou: 2 / 6,
      refusal: 0,
      format: 1,
      total: 2 / 6 + 1,
    });
  });

  it('refusing an absent event earns the refusal reward; a perfect answer totals 2 either way', () => {
    expect(rewardAnswer(qwen2VlProfile.refusalText, null, qwen2VlProfile)).toEqual({
      iou: 0,
      refusal: 1,
      format: 1,
      total: 2,
    });
    expect(rewardAnswer('<think>the box drops</think><answer>4.00 to 8.00</answer>', target, timeR1Profile).total).toBe(
      2,
    );
  });

  it('refusing a present event earns the format reward only; answering an absent one too', () => {
    expect(rewardAnswer('<answer>none</answer>', target, timeR1Profile)).toEqual({
      iou: 0,
      refusal: 0,
      format: 1,
      total: 1,
    });
    expect(rewardAnswer('The event happens in 1.0 - 2.0 seconds.', null, qwen2VlProfile)).toEqual({
      iou: 0,
      refusal: 0,
      format: 1,
      total: 1,
    });
  });

  it('an answer that does not parse with the profile earns nothing', () => {
    // A qwen2-vl answer read with the time-r1 profile has no <answer> tags.
    expect(rewardAnswer('The event happens in 4.0 - 8.0 seconds.', target, timeR1Profile)).toEqual({
      iou: 0,
      refusal: 0,
      format: 0,
      total: 0,
    });
    expect(rewardAnswer('maybe', null, qwen2VlProfile).total).toBe(0);
  });

  it('weights the three rewards', () => {
    const r = rewardAnswer('The event happens in 4.0 - 6.0 seconds.', target, qwen2VlProfile, {
      iou: 2,
      refusal: 1,
      format: 0.5,
    });
    expect(r).toEqual({ iou: 0.5, refusal: 0, format: 1, total: 2 * 0.5 + 0.5 });
  });

  it('each reward on parsed answers', () => {
    const seg = { kind: 'segment', startS: 5, endS: 7 } as const;
    expect(iouReward(seg, target)).toBe(0.5);
    expect(iouReward({ kind: 'refusal' }, target)).toBe(0);
    expect(iouReward(seg, null)).toBe(0);
    expect(refusalReward({ kind: 'refusal' }, null)).toBe(1);
    expect(refusalReward({ kind: 'refusal' }, target)).toBe(0);
    expect(refusalReward({ kind: 'unparsed', reason: 'x' }, null)).toBe(0);
    expect(formatReward({ kind: 'unparsed', reason: 'x' })).toBe(0);
    expect(formatReward({ kind: 'refusal' })).toBe(1);
  });
});
