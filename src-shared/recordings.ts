import { z } from 'zod';

/** State of the SAA scan of a recording; 'running' includes a scan waiting in the queue. */
export const ScanState = z.enum(['none', 'running', 'done', 'failed']);
export type ScanState = z.infer<typeof ScanState>;

export const Recording = z.object({
  id: z.number().int().positive(),
  path: z.string(),
  durationS: z.number().nonnegative(),
  fps: z.number().nonnegative(),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  codec: z.string(),
  createdAt: z.string().nullable(),
  importedAt: z.string(),
  posterPath: z.string().nullable(),
  scan: ScanState,
});
export type Recording = z.infer<typeof Recording>;

export const ImportedRecording = Recording.pick({
  id: true,
  path: true,
  durationS: true,
  fps: true,
  width: true,
  height: true,
  codec: true,
});
export type ImportedRecording = z.infer<typeof ImportedRecording>;

export const SkippedFile = z.object({ path: z.string(), reason: z.string() });
export type SkippedFile = z.infer<typeof SkippedFile>;

export const ImportResult = z.object({
  imported: z.array(ImportedRecording),
  skipped: z.array(SkippedFile),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const ListResult = z.object({
  recordings: z.array(Recording.pick({ id: true, path: true, durationS: true, scan: true, posterPath: true })),
});
export type ListResult = z.infer<typeof ListResult>;
