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
};
