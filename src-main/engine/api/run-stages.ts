/** A two-stage run's stages as its stored settings hold them, for the results of `tempo ground` and a library query. */
import { z } from 'zod';

const StageSummary = z.looseObject({
  model: z.string(),
  device: z.string(),
  windows: z.number(),
  visualTokens: z.number(),
  ms: z.number(),
  segments: z.number(),
});
const StagesSettings = z.object({
  stages: z.object({
    candidate: StageSummary,
    refine: StageSummary,
    audit: StageSummary.extend({ audited: z.array(z.number()), found: z.number(), missedShare: z.number().nullable() }),
  }),
  segmentStages: z.array(z.string()),
});

/** A two-stage run's stages as stored (jobs/two-stage-run.ts stagesSettings), with each segment's stage in rank order. */
export type RunStages = z.infer<typeof StagesSettings>['stages'] & { segmentStages: string[] };

/** A two-stage run's record per stage, from its stored settings; nothing for a one-stage run. */
export function stagesOf(settings: Record<string, unknown>): { stages?: RunStages } {
  const got = StagesSettings.safeParse(settings);
  return got.success ? { stages: { ...got.data.stages, segmentStages: got.data.segmentStages } } : {};
}
