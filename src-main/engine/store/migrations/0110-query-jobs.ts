import type { Migration } from './types.js';

/**
 * A query over several recordings as one resumable job ('query'). Each window's answer is
 * stored as the model gives it (`window_answers`), under the plan that gave window indices
 * their meaning (`plan_key`: the scan's frames, the context, frame pairing, the model, the
 * samples), so a job taken up after a kill -9 asks only the windows not answered yet. A
 * recording the job could not ground is noted with why (`run_failures`) and the job goes on.
 * A query job writes one run per recording: `runs.job_id` is UNIQUE (one ground job, one
 * run), so those runs name their job in `query_job_id`, once per recording.
 */
export const m0110: Migration = {
  version: 110,
  name: 'query-jobs',
  up: `
    CREATE TABLE window_answers (
      id INTEGER PRIMARY KEY,
      query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
      recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
      plan_key TEXT NOT NULL,
      window_index INTEGER NOT NULL CHECK (window_index >= 0),
      outcome TEXT NOT NULL,
      found TEXT,
      notes TEXT NOT NULL DEFAULT '[]',
      created_at TEXT NOT NULL,
      UNIQUE (query_id, recording_id, plan_key, window_index)
    ) STRICT;
    CREATE TABLE run_failures (
      id INTEGER PRIMARY KEY,
      query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
      recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
      job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      error TEXT NOT NULL,
      created_at TEXT NOT NULL,
      UNIQUE (job_id, recording_id)
    ) STRICT;
    ALTER TABLE runs ADD COLUMN query_job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL;
    CREATE UNIQUE INDEX runs_query_job ON runs(query_job_id, recording_id) WHERE query_job_id IS NOT NULL;
  `,
};
