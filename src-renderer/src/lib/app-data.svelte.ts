/**
 * What this window knows of the engine (the library, jobs, settings, queries, the open query's
 * results and review queue, the recording in the player), how it loads it, and how engine
 * events keep it in step. AppState (app.svelte.ts) adds what the operator does.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { EngineEvent, Query, RecordingDetail, Segment, Settings } from '../../../src-shared/api.js';
import type { Job, Recording } from '../../../src-shared/index.js';
import { AppBase } from './app-base.svelte.js';
import { coalesced } from './coalesce.js';
import { installFolder, isActive, jobLabel, queryJobQueryId, withJob } from './jobs.js';
import { withoutSegment, withSegment, type QueryResults, type SegmentLists } from './segment-lists.js';

/** How many recordings of a query have their run written. */
function doneRuns(results: QueryResults): number {
  return results.runs.filter((r) => r.runId !== null).length;
}

export class AppData extends AppBase {
  recordings = $state.raw<readonly Recording[]>([]);
  jobs = $state.raw<readonly Job[]>([]);
  /** Recordings ticked in the library: the "selection" scope of a query. */
  readonly selection = new SvelteSet<number>();

  settings = $state.raw<Settings | null>(null);
  dataFolder = $state('');
  /** Goes up each time the engine says the installed models changed; views listing models reload on it. */
  modelsVersion = $state(0);

  queries = $state.raw<readonly Query[]>([]);
  queryId = $state<number | null>(null);
  results = $state.raw<QueryResults | null>(null);
  /** The review queue in the engine's order (review.queue); see segment-lists.ts. */
  queue = $state.raw<readonly Segment[]>([]);

  /** The recording in the player. */
  recordingId = $state<number | null>(null);
  detail = $state.raw<RecordingDetail | null>(null);
  selectedId = $state<number | null>(null);
  /** A time the player should go to once it can (set when a segment is opened). */
  pendingSeek = $state<number | null>(null);

  readonly activeJobs = $derived(this.jobs.filter(isActive));
  readonly recording = $derived(
    this.recordings.find((r) => r.id === this.recordingId) ?? this.detail?.recording ?? null,
  );
  readonly selected = $derived(
    this.queue.find((s) => s.id === this.selectedId) ??
      this.results?.segments.find((s) => s.id === this.selectedId) ??
      null,
  );
  readonly threshold = $derived(this.settings?.reviewThreshold ?? 0.5);

  protected readonly refreshResults = coalesced(() => this.loadResults(), 750);
  protected readonly refreshQueue = coalesced(() => this.loadQueue(), 500);
  protected readonly refreshLibrary = coalesced(() => this.loadLibrary(), 500);

  protected async reloadAll(): Promise<void> {
    await Promise.all([this.loadLibrary(), this.loadJobs(), this.loadSettings(), this.loadQueries()]);
    if (this.queryId !== null) await Promise.all([this.loadResults(), this.loadQueue()]);
    if (this.recordingId !== null) await this.loadDetail();
  }

  async loadLibrary(): Promise<void> {
    const out = await this.call('library.list', {});
    if (out) this.recordings = out.recordings;
  }

  async loadJobs(): Promise<void> {
    const out = await this.call('jobs.list', {});
    if (out) this.jobs = out.jobs;
  }

  async loadSettings(): Promise<void> {
    const out = await this.call('settings.get', {});
    if (!out) return;
    this.settings = out.settings;
    this.dataFolder = out.dataFolder;
  }

  async loadQueries(): Promise<void> {
    const out = await this.call('query.list', {});
    if (out) this.queries = out.queries;
  }

  async loadResults(): Promise<void> {
    const queryId = this.queryId;
    if (queryId === null) return;
    const out = await this.call('query.results', { queryId });
    if (!out || this.queryId !== queryId) return;
    // A recording's run written since (a query job writes them one by one): its segments join the review queue.
    const before = this.results?.query.id === queryId ? doneRuns(this.results) : null;
    this.results = out;
    if (before !== null && doneRuns(out) > before) this.refreshQueue();
  }

  async loadQueue(): Promise<void> {
    const queryId = this.queryId;
    if (queryId === null) return;
    const out = await this.call('review.queue', { queryId });
    if (out && this.queryId === queryId) this.queue = out.segments;
  }

  async loadDetail(): Promise<void> {
    const recordingId = this.recordingId;
    if (recordingId === null) return;
    const out = await this.call('recording.detail', { recordingId });
    if (out && this.recordingId === recordingId) this.detail = out;
  }

  protected upsertJob(job: Job): void {
    this.jobs = withJob(this.jobs, job);
  }

  private lists(): SegmentLists {
    return { results: this.results, queue: this.queue, selectedId: this.selectedId };
  }

  private setLists(lists: SegmentLists): void {
    if (lists.results !== this.results) this.results = lists.results;
    if (lists.queue !== this.queue) this.queue = lists.queue;
    this.selectedId = lists.selectedId;
  }

  /** Puts a segment the engine sent back into every list that shows it. */
  applySegment(segment: Segment): void {
    if (segment.queryId !== this.queryId) return;
    const { lists, queueStale } = withSegment(this.lists(), segment);
    this.setLists(lists);
    if (queueStale) this.refreshQueue();
  }

  /** Takes a segment that went (an undone add, here or in another window) out of every list. */
  protected forget(id: number): void {
    this.setLists(withoutSegment(this.lists(), id));
  }

  protected handle(event: EngineEvent): void {
    switch (event.kind) {
      case 'job-updated':
        this.onJob(event.job);
        break;
      case 'segment-updated':
        this.applySegment(event.segment);
        break;
      case 'segment-removed':
        this.forget(event.segmentId);
        break;
      case 'library-changed':
        this.refreshLibrary();
        break;
      case 'models-changed':
        this.modelsVersion++;
        break;
    }
  }

  private onJob(job: Job): void {
    const before = this.jobs.find((j) => j.id === job.id);
    this.upsertJob(job);
    const settled = !isActive(job);
    const changedState = before?.state !== job.state;
    if (job.state === 'failed' && changedState) {
      this.report(`${jobLabel(job, this.recordings)} failed${job.error ? `: ${job.error}` : '.'}`);
    }
    if (job.type === 'install' && changedState) {
      const folder = installFolder(job);
      if (job.state === 'done') this.inform(`Model installed${folder ? ` from ${folder}` : ''}.`);
      if (job.state === 'cancelled') this.inform(`${jobLabel(job, this.recordings)} cancelled: nothing was installed.`);
    }
    if (job.type === 'ground') this.onGroundJob(job, changedState);
    if (job.type === 'query' && queryJobQueryId(job) === this.queryId && this.results) {
      // Which recording is on and how far is the engine's to say (query.results): fetched at most every 750 ms.
      this.refreshResults();
      if (changedState && !isActive(job)) this.refreshQueue();
    }
    if ((job.type === 'scan' || job.type === 'import') && changedState) this.refreshLibrary();
    if (job.type === 'scan' && changedState && settled && job.recordingId === this.recordingId) void this.loadDetail();
    if (job.type === 'preview' && this.detail?.previewJob?.id === job.id) {
      this.detail = { ...this.detail, previewJob: job };
      if (settled) void this.loadDetail();
    }
  }

  private onGroundJob(job: Job, changedState: boolean): void {
    const results = this.results;
    if (!results) return;
    const index = results.runs.findIndex((r) => r.jobId === job.id);
    if (index < 0 || changedState) {
      // A run this window has not seen, or one that started or ended: fetch the results.
      this.refreshResults();
      if (!isActive(job)) this.refreshQueue();
      return;
    }
    const runs = [...results.runs];
    const run = runs[index];
    if (run) runs[index] = { ...run, progress: job.progress };
    this.results = { ...results, runs };
  }
}
