import { describe, expect, it } from 'vitest';
import type { Job } from '../../../src-shared/jobs.js';
import type { Recording } from '../../../src-shared/recordings.js';
import {
  importOutcome,
  importPaths,
  installFolder,
  isActive,
  jobEtaText,
  jobLabel,
  queryJobQueryId,
  withJob,
} from '../../../src-renderer/src/lib/jobs.js';

function job(extra: Partial<Job>): Job {
  return {
    id: 1,
    type: 'import',
    state: 'running',
    progress: 0.5,
    attempts: 1,
    maxAttempts: 1,
    error: null,
    payload: { paths: ['/videos/line-3', '/videos/extra.mp4'] },
    recordingId: null,
    cancelRequested: false,
    result: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    updatedAt: '2025-01-01T00:00:01.000Z',
    ...extra,
  };
}

const recordings = [{ id: 4, path: '/videos/camera-4.mp4' }] as Recording[];

const result = {
  imported: [{ id: 4, path: '/videos/camera-4.mp4', durationS: 8, fps: 25, width: 320, height: 180, codec: 'h264' }],
  skipped: [{ path: '/videos/notes.txt', reason: 'not a video file' }],
};

describe('what a job is, for the operator', () => {
  it('names an import by its first path and how many more', () => {
    expect(importPaths(job({}))).toEqual(['/videos/line-3', '/videos/extra.mp4']);
    expect(jobLabel(job({}), recordings)).toBe('Import · line-3 and 1 more');
    expect(jobLabel(job({ payload: { paths: ['/videos/a.mp4'] } }), recordings)).toBe('Import · a.mp4');
    expect(jobLabel(job({ payload: null }), recordings)).toBe('Import');
  });

  it('names an install by its folder and a scan by its recording', () => {
    const install = job({ type: 'install', payload: { dir: '/hub/Qwen2-VL' } });
    expect(installFolder(install)).toBe('/hub/Qwen2-VL');
    expect(jobLabel(install, recordings)).toBe('Model install · Qwen2-VL');
    expect(jobLabel(job({ type: 'scan', payload: null, recordingId: 4 }), recordings)).toBe('Scan · camera-4.mp4');
    expect(importPaths(install)).toEqual([]);
  });

  it('names a query job by how many recordings it goes over, and reads the query it answers', () => {
    const query = job({ type: 'query', payload: { queryId: 7, recordings: [{}, {}, {}] } });
    expect(jobLabel(query, recordings)).toBe('Query · 3 recordings');
    expect(jobLabel(job({ type: 'query', payload: { queryId: 7, recordings: [{}] } }), recordings)).toBe(
      'Query · 1 recording',
    );
    expect(jobLabel(job({ type: 'query', payload: null }), recordings)).toBe('Query');
    expect(queryJobQueryId(query)).toBe(7);
    expect(queryJobQueryId(job({ type: 'ground', payload: { queryId: 7 } }))).toBeNull();
  });

  it('counts queued and running jobs as active', () => {
    expect(isActive(job({ state: 'queued' }))).toBe(true);
    expect(isActive(job({ state: 'running' }))).toBe(true);
    expect(isActive(job({ state: 'done' }))).toBe(false);
    expect(isActive(job({ state: 'cancelled' }))).toBe(false);
  });
});

describe('importOutcome', () => {
  it("reads a done import job's result as an ImportResult", () => {
    expect(importOutcome(job({ state: 'done', progress: 1, result }))).toEqual(result);
  });

  it('has none before the end, for a failed or cancelled import, or for a result it cannot read', () => {
    expect(importOutcome(job({ result }))).toBeNull();
    expect(importOutcome(job({ state: 'failed', error: 'the database is locked' }))).toBeNull();
    expect(importOutcome(job({ state: 'cancelled' }))).toBeNull();
    expect(importOutcome(job({ state: 'done', result: { imported: 3 } }))).toBeNull();
    expect(importOutcome(job({ type: 'scan', state: 'done', result }))).toBeNull();
  });
});

describe('withJob', () => {
  it('adds a new job, replaces a changed one, and keeps the array when nothing changed', () => {
    const first = job({});
    const list = withJob([], first);
    expect(list).toEqual([first]);
    expect(withJob(list, { ...first })).toBe(list);
    const later = job({ progress: 0.8, updatedAt: '2025-01-01T00:00:02.000Z' });
    expect(withJob(list, later)).toEqual([later]);
    const done = job({ state: 'done' });
    expect(withJob(list, done)[0]?.state).toBe('done');
  });
});

describe('jobEtaText', () => {
  const startedAt = '2025-01-01T00:00:00.000Z';
  const at = (s: number) => Date.parse(startedAt) + s * 1000;

  it('shows the time a running job has left next to its bar, from when it started', () => {
    expect(jobEtaText(job({ state: 'running', startedAt, progress: 0.25 }), at(60))).toBe('about 3 min left');
  });

  it('says it is estimating until there is progress enough, and nothing for a job that does not run', () => {
    expect(jobEtaText(job({ state: 'running', startedAt, progress: 0.01 }), at(60))).toBe('estimating time left');
    expect(jobEtaText(job({ state: 'running', startedAt: null, progress: 0.5 }), at(60))).toBe('estimating time left');
    expect(jobEtaText(job({ state: 'queued', startedAt: null, progress: 0 }), at(60))).toBe('');
    expect(jobEtaText(job({ state: 'done', startedAt, progress: 1 }), at(60))).toBe('');
  });
});
