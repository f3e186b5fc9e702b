import { calls, type CallName, type CallOutput } from '../../../src-shared/api.js';
import type { Engine } from '../engine.js';
import { recordingDetail } from './detail.js';
import { NotFoundError, UsageError } from '../errors.js';
import { estimateCall } from './estimate.js';
import { startImport } from './import.js';
import { refreshRecordings } from './refresh.js';
import { startScan } from './scan.js';
import { queueInstall } from './install.js';
import { listInstalledModels } from './models.js';
import { listQueries, queryResults, runQuery } from './queries.js';
import { startReviewed } from './run-reviewed.js';
import { compareModels, qualityCalibrate, qualityHistory, qualityReliability } from './quality.js';
import { accept, addSegment, adjust, reject, reviewQueue, undo } from './review.js';
import { getSettings, setSettings } from './settings.js';

type Handlers = {
  [K in CallName]: (
    engine: Engine,
    input: ReturnType<(typeof calls)[K]['input']['parse']>,
  ) => CallOutput<K> | Promise<CallOutput<K>>;
};

/** One handler per contract call; Electron's IPC and web mode's HTTP both come through `handle`. */
export const handlers: Handlers = {
  'library.list': (engine) => ({ recordings: engine.recordings.list() }),
  'library.import': (engine, { paths }) => startImport(engine, paths),
  'library.scan': async (engine, { recordingId, force }) => {
    const rec = engine.recordings.get(recordingId);
    if (!rec) throw new NotFoundError(`no recording with id ${recordingId}`);
    return startScan(engine, rec, { force });
  },
  'library.refresh': (engine, { recordingIds }) => refreshRecordings(engine, recordingIds),
  'recording.detail': recordingDetail,
  'jobs.list': (engine) => ({ jobs: engine.jobs.list({ limit: 200 }) }),
  'jobs.cancel': (engine, { jobId }) => {
    const job = engine.jobs.cancel(jobId);
    if (!job) throw new NotFoundError(`no job ${jobId}`);
    return { job };
  },
  'query.run': runQuery,
  'query.estimate': estimateCall,
  'query.list': listQueries,
  'query.results': queryResults,
  'review.queue': reviewQueue,
  'review.accept': accept,
  'review.reject': reject,
  'review.adjust': adjust,
  'review.add': addSegment,
  'review.undo': undo,
  'models.list': (engine) => {
    const { models, devices } = listInstalledModels(engine);
    return {
      models: models.map(({ name, dir, family, profile, complete, problems }) => ({
        name,
        dir,
        family,
        profile,
        complete,
        problems,
      })),
      devices,
    };
  },
  'models.install': (engine, input) => {
    const job = queueInstall(engine, input);
    engine.kick();
    return { job };
  },
  'settings.get': getSettings,
  'settings.set': setSettings,
  'quality.compare': compareModels,
  'quality.history': qualityHistory,
  'quality.reliability': qualityReliability,
  'quality.calibrate': qualityCalibrate,
  'quality.run': async (engine, { model }) => ({ jobs: await startReviewed(engine, model) }),
};

export function isCallName(name: string): name is CallName {
  return Object.hasOwn(calls, name);
}

/**
 * Runs one call: the input is checked against the contract (a bad one is a usage error
 * naming the field), then the handler runs.
 */
export async function handle(engine: Engine, name: string, input: unknown): Promise<unknown> {
  if (!isCallName(name)) throw new NotFoundError(`no call named '${name}'`);
  const parsed = calls[name].input.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${name}: ${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`);
  }
  const run = handlers[name] as (engine: Engine, input: unknown) => unknown;
  return await run(engine, parsed.data);
}
