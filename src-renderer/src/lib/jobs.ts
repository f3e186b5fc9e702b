/** Jobs as the renderer shows them: whether they run, what they are, and what a done import brought. */
import { formatEta, jobEta } from '../../../src-shared/eta.js';
import type { Job } from '../../../src-shared/jobs.js';
import { ImportResult, type Recording } from '../../../src-shared/recordings.js';
import { fileName } from './format.js';

/** Queued or running: shown with progress and Cancel. */
export function isActive(job: Pick<Job, 'state'>): boolean {
  return job.state === 'queued' || job.state === 'running';
}

/** The folder an install job copies from, as its payload says; null when it says none. */
export function installFolder(job: Job): string | null {
  const payload = job.payload;
  if (job.type !== 'install' || !payload || typeof payload !== 'object') return null;
  const dir = (payload as { dir?: unknown }).dir;
  return typeof dir === 'string' ? dir : null;
}

/** The paths an import job reads, as its payload says; none when it says none. */
export function importPaths(job: Job): string[] {
  const payload = job.payload;
  if (job.type !== 'import' || !payload || typeof payload !== 'object') return [];
  const paths = (payload as { paths?: unknown }).paths;
  return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string') : [];
}

const KINDS: Record<Job['type'], string> = {
  import: 'Import',
  scan: 'Scan',
  ground: 'Query',
  preview: 'Playable preview',
  eval: 'Benchmark evaluation',
  install: 'Model install',
  query: 'Query',
};

/** How many recordings a query job goes over, as its payload says; null when it says none. */
export function queryRecordingCount(job: Job): number | null {
  const payload = job.payload;
  if (job.type !== 'query' || !payload || typeof payload !== 'object') return null;
  const recordings = (payload as { recordings?: unknown }).recordings;
  return Array.isArray(recordings) ? recordings.length : null;
}

/** The query row a query job answers, as its payload says; null when it says none. */
export function queryJobQueryId(job: Job): number | null {
  const payload = job.payload;
  if (job.type !== 'query' || !payload || typeof payload !== 'object') return null;
  const queryId = (payload as { queryId?: unknown }).queryId;
  return typeof queryId === 'number' ? queryId : null;
}

/** What a job is, for the operator. */
export function jobLabel(job: Job, recordings: readonly Recording[]): string {
  const kind = KINDS[job.type];
  const folder = installFolder(job);
  if (folder) return `${kind} · ${fileName(folder)}`;
  const paths = importPaths(job);
  if (paths.length > 0) {
    const more = paths.length > 1 ? ` and ${paths.length - 1} more` : '';
    return `${kind} · ${fileName(paths[0] ?? '')}${more}`;
  }
  const over = queryRecordingCount(job);
  if (over !== null) return `${kind} · ${over === 1 ? '1 recording' : `${over} recordings`}`;
  const recording = recordings.find((r) => r.id === job.recordingId);
  return recording ? `${kind} · ${fileName(recording.path)}` : kind;
}

/** What a done import job brought in and skipped; null before it is done, or when its result cannot be read. */
export function importOutcome(job: Job): ImportResult | null {
  if (job.type !== 'import' || job.state !== 'done') return null;
  const parsed = ImportResult.safeParse(job.result);
  return parsed.success ? parsed.data : null;
}

/** The list with `job` in place of the one with its id, or added; the same array when nothing changed. */
export function withJob(jobs: readonly Job[], job: Job): readonly Job[] {
  const index = jobs.findIndex((j) => j.id === job.id);
  if (index < 0) return [...jobs, job];
  const known = jobs[index];
  if (known?.updatedAt === job.updatedAt && known.state === job.state) return jobs;
  const next = [...jobs];
  next[index] = job;
  return next;
}

/**
 * The time a job has left, as its row shows it next to its progress bar: "about 3 min left"
 * while it runs (src-shared/eta.ts), "estimating time left" until there is progress enough to
 * say; nothing for a job that does not run.
 */
export function jobEtaText(job: Pick<Job, 'state' | 'startedAt' | 'progress'>, nowMs: number): string {
  if (job.state !== 'running') return '';
  return formatEta(jobEta(job, nowMs)) || 'estimating time left';
}
