import { calls, type CallName, type CallOutput } from '../../../src-shared/api.js';
import { DEFAULT_SCAN_BUDGET } from '../../../src-shared/scans.js';
import type { Engine } from '../engine.js';
import { recordingDetail } from './detail.js';
import { NotFoundError, UsageError } from '../errors.js';
import { importPaths } from './import.js';
import { refreshRecordings } from './refresh.js';
import { scanDedupeKey } from '../jobs/scan-job.js';
import { queueInstall } from '../jobs/install-job.js';
import { listInstalledModels } from './models.js';
import { listQueries, queryResults, runQuery } from './queries.js';
import { queueReviewed } from '../learning/run-reviewed.js';
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
  'library.import': async (engine, { paths }) => {
    const result = await importPaths(engine, paths);
    if (result.imported.length > 0) engine.events.emit('event', { kind: 'library-changed' });
    return result;
  },
  'library.scan': async (engine, { recordingId, force }) => {
    const rec = engine.recordings.get(recordingId);
    if (!rec) throw new NotFoundError(`no recording with id ${recordingId}`);
    // A file replaced since its scan has its old scans dropped here, so none is handed back.
    await refreshRecordings(engine, [recordingId], { force: false });
    const scan = engine.scans.latest(recordingId);
    const budgetTokens = scan?.budgetTokens ?? DEFAULT_SCAN_BUDGET;
    if (scan && !force) {
      const done = engine.jobs.byPayload('scan', 'recordingId', recordingId).at(-1);
      if (done) return { job: done };
    }
    const job = engine.jobs.enqueue(
      'scan',
      { recordingId, budgetTokens },
      { recordingId, dedupeKey: scanDedupeKey({ recordingId, budgetTokens }) },
    );
    engine.kick();
    return { job };
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
  'quality.run': async (engine, { model }) => ({ jobs: await queueReviewed(engine, model) }),
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
