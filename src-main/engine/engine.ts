import fs from 'node:fs';
import { cacheBytesFromEnv, DiskCache } from './cache/disk-cache.js';
import { JobQueue, type JobQueueOptions } from './jobs/queue.js';
import { scanJobHandler } from './jobs/scan-job.js';
import { homePaths } from './home.js';
import { configureFfmpeg } from './media/tools.js';
import { openDatabase, type DB } from './store/db.js';
import { RecordingsRepo } from './store/recordings.js';
import { RunsRepo } from './store/runs.js';
import { ScansRepo } from './store/scans.js';
import { groundJobHandler } from './jobs/ground-job.js';
import { disposeModels } from './models/loaded.js';

/** Everything the api handlers need, opened on one data directory. */
export class Engine {
  readonly paths: ReturnType<typeof homePaths>;
  readonly db: DB;
  readonly recordings: RecordingsRepo;
  readonly scans: ScansRepo;
  readonly runs: RunsRepo;
  readonly jobs: JobQueue;
  /** Decoded frames and vision features, bounded, kept between queries and runs. */
  readonly cache: DiskCache;
  /** Bearer tokens of model servers by URL, for this process only (never written to the store). */
  readonly serverTokens = new Map<string, string>();

  private constructor(home: string, jobOptions: JobQueueOptions) {
    this.paths = homePaths(home);
    fs.mkdirSync(this.paths.posters, { recursive: true });
    this.db = openDatabase(this.paths.db);
    this.recordings = new RecordingsRepo(this.db);
    this.scans = new ScansRepo(this.db);
    this.runs = new RunsRepo(this.db);
    this.cache = new DiskCache(this.paths.cache, cacheBytesFromEnv());
    this.jobs = new JobQueue(this.db, jobOptions);
    this.jobs.register('scan', scanJobHandler(this.recordings, this.scans));
    this.jobs.register(
      'ground',
      groundJobHandler({
        recordings: this.recordings,
        scans: this.scans,
        runs: this.runs,
        cache: this.cache,
        serverTokens: this.serverTokens,
      }),
    );
    // Jobs left 'running' by a process that died are queued again (or failed when exhausted).
    this.jobs.recover();
  }

  /** Opens the data directory, creating it and migrating its database as needed. */
  static open(home: string, jobOptions: JobQueueOptions = {}): Engine {
    configureFfmpeg();
    return new Engine(home, jobOptions);
  }

  close(): void {
    this.jobs.abortAll();
    this.db.close();
  }

  /** Closes the store and releases loaded models (their ONNX sessions). */
  async shutdown(): Promise<void> {
    this.close();
    await disposeModels();
  }
}
