/**
 * The renderer's state and the actions that change it, shared by every view. All engine
 * traffic goes through the client; every failure becomes a visible message and the app
 * keeps working. Events keep the state in step: jobs, segments, the library.
 */
import { SvelteSet } from 'svelte/reactivity';
import type {
  CallInput,
  CallName,
  CallOutput,
  EngineEvent,
  Query,
  QueryRun,
  RecordingDetail,
  RejectReason,
  Segment,
  Settings,
} from '../../../src-shared/api.js';
import type { Job, Recording } from '../../../src-shared/index.js';
import type { Client } from './client.js';
import { coalesced } from './coalesce.js';
import { fileName } from './format.js';
import { removeSegment, replaceSegment, upsertSegment } from './review.js';

export type View = 'library' | 'query' | 'review' | 'quality' | 'settings';

export interface Message {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface QueryResults {
  query: Query;
  segments: readonly Segment[];
  runs: readonly QueryRun[];
}

const ACTIVE: ReadonlySet<Job['state']> = new Set(['queued', 'running']);
const MAX_MESSAGES = 5;
const INFO_MS = 6000;

/** The folder an install job copies from, as its payload says; null when it says none. */
export function installFolder(job: Job): string | null {
  const payload = job.payload;
  if (job.type !== 'install' || !payload || typeof payload !== 'object') return null;
  const dir = (payload as { dir?: unknown }).dir;
  return typeof dir === 'string' ? dir : null;
}

/** What a job is, for the operator. */
export function jobLabel(job: Job, recordings: readonly Recording[]): string {
  const kind = {
    scan: 'Scan',
    ground: 'Query',
    preview: 'Playable preview',
    eval: 'Benchmark evaluation',
    install: 'Model install',
  }[job.type];
  const folder = installFolder(job);
  if (folder) return `${kind} · ${fileName(folder)}`;
  const recording = recordings.find((r) => r.id === job.recordingId);
  return recording ? `${kind} · ${fileName(recording.path)}` : kind;
}

export class AppState {
  /** This window or page, named once per load: Undo takes back its own verdicts only. */
  readonly clientId = crypto.randomUUID();
  view = $state<View>('library');
  messages = $state<Message[]>([]);
  /** False while live updates are lost (web mode's event stream); the client retries. */
  connected = $state(true);

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
  queue = $state.raw<readonly Segment[]>([]);

  /** The recording in the player. */
  recordingId = $state<number | null>(null);
  detail = $state.raw<RecordingDetail | null>(null);
  selectedId = $state<number | null>(null);
  /** A time the player should go to once it can (set when a segment is opened). */
  pendingSeek = $state<number | null>(null);

  readonly activeJobs = $derived(this.jobs.filter((j) => ACTIVE.has(j.state)));
  readonly recording = $derived(
    this.recordings.find((r) => r.id === this.recordingId) ?? this.detail?.recording ?? null,
  );
  readonly selected = $derived(
    this.queue.find((s) => s.id === this.selectedId) ??
      this.results?.segments.find((s) => s.id === this.selectedId) ??
      null,
  );
  readonly threshold = $derived(this.settings?.reviewThreshold ?? 0.5);

  private nextMessageId = 1;
  private readonly refreshResults = coalesced(() => this.loadResults(), 750);
  private readonly refreshQueue = coalesced(() => this.loadQueue(), 500);
  private readonly refreshLibrary = coalesced(() => this.loadLibrary(), 500);

  constructor(readonly client: Client) {}

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

  private async reloadAll(): Promise<void> {
    await Promise.all([this.loadLibrary(), this.loadJobs(), this.loadSettings(), this.loadQueries()]);
    if (this.queryId !== null) await Promise.all([this.loadResults(), this.loadQueue()]);
    if (this.recordingId !== null) await this.loadDetail();
  }

  // Messages

  report(error: unknown): void {
    const text = error instanceof Error ? error.message : String(error);
    this.push('error', text || 'Something went wrong.');
  }

  /** A notice that goes away by itself after a few seconds (errors stay until dismissed). */
  inform(text: string): void {
    const id = this.push('info', text);
    if (id !== null) setTimeout(() => this.dismiss(id), INFO_MS);
  }

  private push(kind: Message['kind'], text: string): number | null {
    const last = this.messages[this.messages.length - 1];
    if (last && last.kind === kind && last.text === text) return null;
    const id = this.nextMessageId++;
    this.messages = [...this.messages, { id, kind, text }].slice(-MAX_MESSAGES);
    return id;
  }

  dismiss(id: number): void {
    this.messages = this.messages.filter((m) => m.id !== id);
  }

  /** Calls the engine; a failure shows as a message and resolves to undefined. */
  async call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K> | undefined> {
    try {
      return await this.client.call(name, input);
    } catch (error) {
      this.report(error);
      return undefined;
    }
  }

  // Library and jobs

  async loadLibrary(): Promise<void> {
    const out = await this.call('library.list', {});
    if (out) this.recordings = out.recordings;
  }

  async loadJobs(): Promise<void> {
    const out = await this.call('jobs.list', {});
    if (out) this.jobs = out.jobs;
  }

  async importPaths(paths: string[]): Promise<CallOutput<'library.import'> | undefined> {
    const out = await this.call('library.import', { paths });
    if (out) await Promise.all([this.loadLibrary(), this.loadJobs()]);
    return out;
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

  private upsertJob(job: Job): void {
    const index = this.jobs.findIndex((j) => j.id === job.id);
    if (index < 0) this.jobs = [...this.jobs, job];
    else if (this.jobs[index]?.updatedAt !== job.updatedAt || this.jobs[index]?.state !== job.state) {
      const next = [...this.jobs];
      next[index] = job;
      this.jobs = next;
    }
  }

  // Models and settings

  /** Starts installing a model folder; its job then shows with progress and Cancel. */
  async installModel(input: CallInput<'models.install'>): Promise<Job | undefined> {
    const out = await this.call('models.install', input);
    if (!out) return undefined;
    // Its events may have come first (a small folder copies at once): keep the newer state they brought.
    if (!this.jobs.some((j) => j.id === out.job.id)) this.upsertJob(out.job);
    return out.job;
  }

  async loadSettings(): Promise<void> {
    const out = await this.call('settings.get', {});
    if (!out) return;
    this.settings = out.settings;
    this.dataFolder = out.dataFolder;
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

  async loadQueries(): Promise<void> {
    const out = await this.call('query.list', {});
    if (out) this.queries = out.queries;
  }

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

  async loadResults(): Promise<void> {
    const queryId = this.queryId;
    if (queryId === null) return;
    const out = await this.call('query.results', { queryId });
    if (out && this.queryId === queryId) this.results = out;
  }

  async loadQueue(): Promise<void> {
    const queryId = this.queryId;
    if (queryId === null) return;
    const out = await this.call('review.queue', { queryId });
    if (out && this.queryId === queryId) this.queue = out.segments;
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

  async loadDetail(): Promise<void> {
    const recordingId = this.recordingId;
    if (recordingId === null) return;
    const out = await this.call('recording.detail', { recordingId });
    if (out && this.recordingId === recordingId) this.detail = out;
  }

  /** Selects a segment and brings it into the player. */
  selectSegment(id: number | null): void {
    this.selectedId = id;
    const segment = this.selected;
    if (segment) void this.openRecording(segment.recordingId, segment.startS);
  }

  /** Puts a segment the engine sent back into every list that shows it. */
  applySegment(segment: Segment): void {
    if (segment.queryId !== this.queryId) return;
    if (this.results) {
      const segments = replaceSegment(this.results.segments, segment);
      this.results = {
        ...this.results,
        segments: segments !== this.results.segments ? segments : [...this.results.segments, segment],
      };
    }
    this.queue = upsertSegment(this.queue, segment, this.threshold);
  }

  private forget(id: number): void {
    if (this.results) this.results = { ...this.results, segments: removeSegment(this.results.segments, id) };
    this.queue = removeSegment(this.queue, id);
    if (this.selectedId === id) this.selectedId = null;
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

  // Events

  private handle(event: EngineEvent): void {
    switch (event.kind) {
      case 'job-updated':
        this.onJob(event.job);
        break;
      case 'segment-updated':
        this.applySegment(event.segment);
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
    const settled = !ACTIVE.has(job.state);
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
    if (job.type === 'scan' && changedState) {
      this.refreshLibrary();
      if (settled && job.recordingId === this.recordingId) void this.loadDetail();
    }
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
      if (!ACTIVE.has(job.state)) this.refreshQueue();
      return;
    }
    const runs = [...results.runs];
    const run = runs[index];
    if (run) runs[index] = { ...run, progress: job.progress };
    this.results = { ...results, runs };
  }
}
