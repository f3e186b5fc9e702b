import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CallInput, EngineEvent } from '../../../src-shared/api.js';
import type { Job } from '../../../src-shared/jobs.js';
import { UsageError } from '../errors.js';
import type { Engine } from '../engine.js';
import { DEVICES } from '../models/devices.js';
import { installModel } from '../models/install.js';
import { Dtype, ModelManifest } from '../models/manifest.js';
import { PROFILES } from '../models/profiles/index.js';
import { JobCancelledError } from '../errors.js';
import type { JobHandler } from './queue.js';

/** What an 'install' job carries: the folder (absolute), the operator's choices, the device the dtype rule picks for. */
export const InstallPayload = z.object({
  dir: z.string().min(1),
  name: z.string().min(1).optional(),
  dtype: Dtype.optional(),
  profile: z.string().min(1).optional(),
  device: z.enum(DEVICES).optional(),
});
export type InstallPayload = z.infer<typeof InstallPayload>;

type InstallEngine = Pick<Engine, 'paths' | 'db' | 'events' | 'jobs' | 'settings'>;

/**
 * Queues an install of a folder on this machine (the `models.install` call). What can be
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

/**
 * Emits `models-changed` on the engine's events after each install job that ends done, so
 * every open window lists the new model. It listens to the engine's own events, because the
 * job runs in a worker thread whose engine forwards only job events to the engine that
 * answers the windows: this way the event is raised where the windows hear it, in every
 * transport (and in-process, where jobs run on the engine itself).
 */
function announceInstalls(events: Engine['events']): void {
  const announced = new Set<number>();
  events.on('event', (event: EngineEvent) => {
    if (event.kind !== 'job-updated') return;
    const { job } = event;
    if (job.type !== 'install' || job.state !== 'done' || announced.has(job.id)) return;
    announced.add(job.id);
    // After the job's own event has reached every listener.
    queueMicrotask(() => events.emit('event', { kind: 'models-changed' }));
  });
}

/** A one-line reason for a payload that does not parse. */
function payloadProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return `bad install payload: ${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`;
}

/**
 * The 'install' job: installModel with the job's signal, progress = bytes copied / bytes to
 * copy. An InstallError fails the job with its one line; a cancel leaves nothing installed
 * (also when it comes after the copy was renamed into place). Registering it also announces
 * finished installs (announceInstalls).
 */
export function installJobHandler(engine: Pick<Engine, 'paths' | 'db' | 'events'>): JobHandler {
  announceInstalls(engine.events);
  return async ({ job, signal, progress }) => {
    const parsed = InstallPayload.safeParse(job.payload);
    if (!parsed.success) throw new Error(payloadProblem(parsed.error));
    const { dir, name, dtype, profile, device } = parsed.data;
    const installed = await installModel(engine.paths.home, engine.db, dir, {
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
      if (installed.manifest) engine.db.prepare('DELETE FROM models WHERE name = ?').run(installed.manifest.name);
      throw new JobCancelledError();
    }
    progress(1);
    return () => undefined;
  };
}
