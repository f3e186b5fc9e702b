import { z } from 'zod';

/** One planned frame: its time and the size it is resized to, with its Qwen2-VL token cost. */
export const PlannedFrame = z.object({
  t: z.number().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  tokens: z.number().int().positive(),
});
export type PlannedFrame = z.infer<typeof PlannedFrame>;

export const ScanResult = z.object({
  recordingId: z.number().int().positive(),
  durationS: z.number().nonnegative(),
  changePoints: z.array(z.number()),
  frames: z.array(PlannedFrame),
  visualTokens: z.number().int().nonnegative(),
  uniformTokens: z.number().int().nonnegative(),
  /** How the plan fell short of its priorities to fit the budget; empty when it did not. */
  warnings: z.array(z.string()),
});
export type ScanResult = z.infer<typeof ScanResult>;

/** Default visual-token budget of a scan's frame plan. */
export const DEFAULT_SCAN_BUDGET = 16384;
