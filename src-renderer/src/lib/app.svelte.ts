/**
 * The renderer's state and the actions that change it, shared by every view. All engine
 * traffic goes through the client; every failure becomes a visible message and the app
 * keeps working. Events keep the state in step (app-data.svelte.ts): jobs, segments, the library.
 */
import type { CallInput, RejectReason } from '../../../src-shared/api.js';
import type { Job } from '../../../src-shared/index.js';
import { AppData } from './app-data.svelte.js';
import { reviewStart } from './segment-lists.js';

export class AppState extends AppData {
  /** The import this window started last: the Library shows its progress, Cancel and outcome. */
  importJobId = $state<number | null>(null);
  readonly importJob = $derived(this.jobs.find((j) => j.id === this.importJobId) ?? null);

  /** Loads the first data and follows engine events; returns the function that stops following. */
  start(): () => void {
    const stopEvents = this.client.onEvent((event) => this.handle(event));
    const stopConnection = this.client.onConnection((up) => {
      const wasDown = !this.connected;
      this.connected = up;
      if (up && wasDown) void this.reloadAll();
    });
    void this.reloadAll();
    return () => {
      stopEvents();
      stopConnection();
    };
  }

  // Library and jobs

  /** Starts importing paths as a job; its progress, Cancel and outcome show in the Library. */
  async importPaths(paths: string[]): Promise<Job | undefined> {
    const out = await this.call('library.import', { paths });
    if (!out) return undefined;
    this.trackJob(out.job);
    this.importJobId = out.job.id;
    return out.job;
  }

  async scan(recordingId: number): Promise<void> {
    const out = await this.call('library.scan', { recordingId });
    if (!out) return;
    this.upsertJob(out.job);
    this.refreshLibrary();
  }

  async cancelJob(jobId: number): Promise<void> {
    const out = await this.call('jobs.cancel', { jobId });
    if (out) this.upsertJob(out.job);
  }

  /** Adds a job a call started, unless its events came first (a small job ends at once): they bring the newer state. */
  private trackJob(job: Job): void {
    if (!this.jobs.some((j) => j.id === job.id)) this.upsertJob(job);
  }

  // Models and settings

  /** Starts installing a model folder; its job then shows with progress and Cancel. */
  async installModel(input: CallInput<'models.install'>): Promise<Job | undefined> {
    const out = await this.call('models.install', input);
    if (!out) return undefined;
    this.trackJob(out.job);
    return out.job;
  }

  async saveSettings(change: CallInput<'settings.set'>): Promise<boolean> {
    const out = await this.call('settings.set', change);
    if (!out) return false;
    this.settings = out.settings;
    this.dataFolder = out.dataFolder;
    if (this.queryId !== null) this.refreshQueue();
    return true;
  }

  // Queries

  async runQuery(text: string, recordingIds: number[]): Promise<boolean> {
    const out = await this.call('query.run', { text, recordingIds });
    if (!out) return false;
    this.queries = [out.query, ...this.queries.filter((q) => q.id !== out.query.id)];
    await this.openQuery(out.query.id);
    return true;
  }

  async openQuery(queryId: number): Promise<void> {
    if (this.queryId !== queryId) {
      this.queryId = queryId;
      this.results = null;
      this.queue = [];
      this.selectedId = null;
    }
    await Promise.all([this.loadResults(), this.loadQueue()]);
  }

  // Player and review

  /** Shows a recording in the player; `seekS` is where to start. */
  async openRecording(recordingId: number, seekS: number | null = null): Promise<void> {
    this.view = 'review';
    if (seekS !== null) this.pendingSeek = seekS;
    if (this.recordingId === recordingId && this.detail?.recording.id === recordingId) return;
    this.recordingId = recordingId;
    this.detail = null;
    await this.loadDetail();
  }

  /** Selects a segment and brings it into the player. */
  selectSegment(id: number | null): void {
    this.selectedId = id;
    const segment = this.selected;
    if (segment) void this.openRecording(segment.recordingId, segment.startS);
  }

  /** Opens the review on the first segment of the queue (the engine's order), in the player at its start. */
  async startReview(): Promise<void> {
    this.view = 'review';
    if (this.queue.length === 0) await this.loadQueue();
    const start = reviewStart(this.queue);
    if (start) this.selectSegment(start.segmentId);
  }

  async accept(segmentId: number): Promise<void> {
    const out = await this.call('review.accept', { segmentId, clientId: this.clientId });
    if (out) this.applySegment(out.segment);
  }

  async reject(segmentId: number, reason: RejectReason): Promise<void> {
    const out = await this.call('review.reject', { segmentId, reason, clientId: this.clientId });
    if (out) this.applySegment(out.segment);
  }

  async adjust(segmentId: number, startS: number, endS: number): Promise<void> {
    const out = await this.call('review.adjust', { segmentId, startS, endS, clientId: this.clientId });
    if (out) this.applySegment(out.segment);
  }

  async add(recordingId: number, startS: number, endS: number): Promise<boolean> {
    if (this.queryId === null) {
      this.report('Run or open a query first: an added segment belongs to a query.');
      return false;
    }
    const out = await this.call('review.add', {
      queryId: this.queryId,
      recordingId,
      startS,
      endS,
      clientId: this.clientId,
    });
    if (!out) return false;
    this.applySegment(out.segment);
    this.selectedId = out.segment.id;
    return true;
  }

  async undo(): Promise<void> {
    const out = await this.call('review.undo', { clientId: this.clientId });
    if (!out) return;
    if (out.removed !== null) this.forget(out.removed);
    if (out.segment) this.applySegment(out.segment);
    if (out.removed === null && !out.segment) this.inform('Nothing to undo.');
  }
}
