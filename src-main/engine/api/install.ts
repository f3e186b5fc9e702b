import fs from 'node:fs';
import path from 'node:path';
import type { CallInput } from '../../../src-shared/api.js';
import type { Job } from '../../../src-shared/jobs.js';
import type { Engine } from '../engine.js';
import { UsageError } from '../errors.js';
import type { InstallPayload } from '../jobs/install-job.js';
import { ModelManifest } from '../models/manifest.js';
import { PROFILES } from '../models/profiles/index.js';

type InstallEngine = Pick<Engine, 'paths' | 'db' | 'events' | 'jobs' | 'settings'>;

/**
 * Queues an install of a folder on this machine (the `models.install` call; the same for the CLI). What can be
 * told at once is a usage error, not a failed job: a folder that is not there, an unknown
 * profile, a bad name. Installs are not retried: a second try would fail the same way.
 */
export function queueInstall(engine: InstallEngine, input: CallInput<'models.install'>): Job {
  const dir = path.resolve(input.dir);
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw new UsageError(`no folder ${dir}`);
  if (!stat.isDirectory()) throw new UsageError(`${dir} is not a folder`);
  if (input.profile !== undefined && !(input.profile in PROFILES))
    throw new UsageError(`unknown answer profile '${input.profile}' (known: ${Object.keys(PROFILES).join(', ')})`);
  if (input.name !== undefined && !ModelManifest.shape.name.safeParse(input.name).success)
    throw new UsageError(`model name '${input.name}': letters, digits, . _ - (at most 80)`);
  const payload: InstallPayload = {
    dir,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.dtype !== undefined ? { dtype: input.dtype } : {}),
    ...(input.profile !== undefined ? { profile: input.profile } : {}),
    device: engine.settings.get().device,
  };
  return engine.jobs.enqueue('install', payload, { maxAttempts: 1 });
}
