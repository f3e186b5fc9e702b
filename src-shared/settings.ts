import { z } from 'zod';

/** The workstation's settings, one key each in SQLite (store/settings.ts). */
export const Settings = z.object({
  /** Segments under this confidence go to the review queue first. */
  reviewThreshold: z.number().min(0).max(1),
  /** Local model name or folder; null: the only one installed. */
  model: z.string().nullable(),
  device: z.enum(['cpu', 'webgpu', 'cuda', 'dml']),
  /** OpenAI-compatible model server to ask instead of a local model; null: local. */
  serverUrl: z.string().url().nullable(),
  /** More servers of the same model: with serverUrl they form a pool that shares the windows. */
  poolUrls: z.array(z.string().url()).max(63),
  /** Requests each server of a pool takes at once. */
  perServer: z.number().int().min(1).max(64),
  samples: z.number().int().min(1).max(16),
  /**
   * Two-stage grounding: a light local model (name or folder) that reads every window first,
   * the model above (or the server and its pool) refining where it is unsure; null: one stage.
   */
  candidateModel: z.string().nullable(),
  /** Two stages: candidates under this confidence are refined, the others kept as they are. */
  refineBelow: z.number().min(0).max(1),
  /** Two stages: the share of windows the candidate model refused that the refining backend audits. */
  auditShare: z.number().min(0).max(1),
});
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = {
  reviewThreshold: 0.5,
  model: null,
  device: 'cpu',
  serverUrl: null,
  poolUrls: [],
  perServer: 2,
  samples: 3,
  candidateModel: null,
  refineBelow: 0.6,
  auditShare: 0.05,
};
