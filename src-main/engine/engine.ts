import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type { EngineEvent } from '../../src-shared/api.js';
import { cacheBytesFromEnv, DiskCache, kvCacheBytesFromEnv } from './cache/disk-cache.js';
import { JobQueue, type JobQueueOptions } from './jobs/queue.js';
import { previewJobHandler } from './jobs/preview-job.js';
import { scanJobHandler } from './jobs/scan-job.js';
import { homePaths } from './home.js';
import { configureFfmpeg } from './media/tools.js';
import { openDatabase, type DB } from './store/db.js';
import { CostsRepo } from './store/costs.js';
import { RecordingsRepo } from './store/recordings.js';
import { RunsRepo } from './store/runs.js';
import { ScansRepo } from './store/scans.js';
import { SegmentsRepo } from './store/segments.js';
import { SettingsRepo } from './store/settings.js';
import { RunFailuresRepo } from './store/run-failures.js';
import { WindowAnswersRepo } from './store/window-answers.js';
import { announceJobEffects } from './jobs/job-effects.js';
import { EvalPayload, evalJobHandler } from './jobs/eval-job.js';
import { GroundPayload, groundJobHandler } from './jobs/ground-job.js';
import { ImportPayload, importJobHandler } from './jobs/import-job.js';
import { InstallPayload, installJobHandler } from './jobs/install-job.js';
import { PreviewPayload } from './jobs/preview-job.js';
import { QueryPayload } from './jobs/query-payload.js';
import { queryJobHandler } from './jobs/query-job.js';
import { ScanPayload } from './jobs/scan-job.js';
import { disposeModels } from './models/loaded.js';
import { calibratorFor } from './learning/calibration.js';

/** Everything the api handlers need, opened on one data directory. */
export class Engine {
  readonly paths: ReturnType<typeof homePaths>;
  readonly db: DB;
  readonly recordings: RecordingsRepo;
  readonly scans: ScansRepo;
  readonly runs: RunsRepo;
  readonly segments: SegmentsRepo;
  readonly settings: SettingsRepo;
  /** What work costs on this machine, per model and device, measured by the runs that did it. */
  readonly costs: CostsRepo;
  /** Each window's answer as a query job gets it, so a query taken up after a crash asks only the rest. */
  readonly answers: WindowAnswersRepo;
  /** Recordings a query job could not ground, and why. */
  readonly failures: RunFailuresRepo;
  readonly jobs: JobQueue;
  /** Everything the renderer should hear about: job, segment and library changes. */
  readonly events = new EventEmitter<{ event: [EngineEvent] }>();
  /**
   * Starts queued jobs without waiting for them. In-process by default; `tempo serve` points
   * it at its job worker so the thread that answers the UI never runs one.
   */
  kick: () => void = () => void this.jobs.drain().catch(() => undefined);
  /** Decoded frames and vision features, bounded, kept between queries and runs. */
  readonly cache: DiskCache;
  /** KV caches of prompt prefixes read by local models, bounded by TEMPO_KV_CACHE_MB (default 1 GiB). */
  readonly prefixCache: DiskCache;
  /** Bearer tokens of model servers by URL, for this process only (never written to the store). */
  readonly serverTokens = new Map<string, string>();

  private constructor(home: string, jobOptions: JobQueueOptions) {
    this.paths = homePaths(home);
    fs.mkdirSync(this.paths.posters, { recursive: true });
    this.db = openDatabase(this.paths.db);
    this.recordings = new RecordingsRepo(this.db);
    this.scans = new ScansRepo(this.db);
    this.runs = new RunsRepo(this.db);
    this.segments = new SegmentsRepo(this.db);
    this.settings = new SettingsRepo(this.db);
    this.costs = new CostsRepo(this.db);
    this.answers = new WindowAnswersRepo(this.db);
    this.failures = new RunFailuresRepo(this.db);
    this.cache = new DiskCache(this.paths.cache, cacheBytesFromEnv());
    this.prefixCache = new DiskCache(this.paths.prefixes, kvCacheBytesFromEnv());
    this.jobs = new JobQueue(this.db, jobOptions);
    this.registerJobs();
    announceJobEffects(this.events);
    this.jobs.events.on('event', (e) => this.events.emit('event', e));
    // Jobs left 'running' by a process that died are queued again (or failed when exhausted).
    this.jobs.recover();
  }

  /** Each job type with its payload schema and the narrow dependencies its handler needs. */
  private registerJobs(): void {
    const { recordings, scans, runs, costs, cache, prefixCache, serverTokens } = this;
    const importDeps = { recordings, postersDir: this.paths.posters, dbFile: this.paths.db };
    this.jobs.register('import', importJobHandler(importDeps), ImportPayload);
    this.jobs.register('scan', scanJobHandler(recordings, scans, costs), ScanPayload);
    this.jobs.register('preview', previewJobHandler(recordings, this.paths.previews), PreviewPayload);
    const calibration = (modelName: string) => calibratorFor(this.db, modelName);
    const groundDeps = { recordings, scans, runs, costs, cache, prefixCache, serverTokens, calibration };
    this.jobs.register('ground', groundJobHandler(groundDeps), GroundPayload);
    const { db, answers, failures } = this;
    this.jobs.register('query', queryJobHandler({ ...groundDeps, db, answers, failures }), QueryPayload);
    this.jobs.register('eval', evalJobHandler({ ...importDeps, scans, cache, prefixCache, serverTokens }), EvalPayload);
    this.jobs.register('install', installJobHandler({ home: this.paths.home }), InstallPayload);
  }

  /** Keeps a model server's token for this process (and its job worker, which listens for this). */
  setServerToken(url: string, token: string): void {
    this.serverTokens.set(url, token);
    this.tokenEvents.emit('token', url, token);
  }

  readonly tokenEvents = new EventEmitter<{ token: [string, string] }>();

  /** Opens the data directory, creating it and migrating its database as needed. */
  static open(home: string, jobOptions: JobQueueOptions = {}): Engine {
    configureFfmpeg();
    return new Engine(home, jobOptions);
  }

  close(): void {
    this.jobs.abortAll();
    this.db.close();
  }

  /**
   * Lets running jobs reach a safe point (they go back to the queue, to resume at the next
   * start), then closes the store and releases loaded models (their ONNX sessions).
   */
  async shutdown(): Promise<void> {
    await this.jobs.stop();
    this.db.close();
    await disposeModels();
  }
}
