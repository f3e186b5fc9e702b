import fs from 'node:fs';
import { z } from 'zod';
import { DEVICES } from '../models/devices.js';
import { installModel } from '../models/install.js';
import { Dtype } from '../models/manifest.js';
import { JobCancelledError } from '../errors.js';
import type { JobHandler } from './job-handler.js';

/** What an 'install' job carries: the folder (absolute), the operator's choices, the device the dtype rule picks for. */
export const InstallPayload = z.object({
  dir: z.string().min(1),
  name: z.string().min(1).optional(),
  dtype: Dtype.optional(),
  profile: z.string().min(1).optional(),
  device: z.enum(DEVICES).optional(),
});
export type InstallPayload = z.infer<typeof InstallPayload>;

/**
 * The 'install' job: installModel with the job's signal, progress = bytes copied / bytes to
 * copy. An InstallError fails the job with its one line; a cancel leaves nothing installed
 * (also when it comes after the copy was renamed into place). Registering it also announces
 * finished installs (announceInstalls).
 */
export function installJobHandler(deps: { home: string }): JobHandler<InstallPayload> {
  return async ({ payload, signal, progress }) => {
    const { dir, name, dtype, profile, device } = payload;
    const installed = await installModel(deps.home, dir, {
      ...(name !== undefined ? { name } : {}),
      ...(dtype !== undefined ? { dtype } : {}),
      ...(profile !== undefined ? { profile } : {}),
      ...(device !== undefined ? { device } : {}),
      signal,
      onProgress: ({ copiedBytes, totalBytes }) => progress(totalBytes > 0 ? copiedBytes / totalBytes : 1),
    });
    if (signal.aborted) {
      // Cancelled after the copy was in place: take it back, as the job will say it was cancelled.
      fs.rmSync(installed.dir, { recursive: true, force: true });
      throw new JobCancelledError();
    }
    progress(1);
    return () => undefined;
  };
}
