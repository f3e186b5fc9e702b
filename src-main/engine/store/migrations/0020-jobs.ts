import type { Migration } from './types.js';

export const m0020: Migration = {
  version: 20,
  name: 'jobs',
  up: `
    CREATE TABLE jobs (
      id INTEGER PRIMARY KEY,
      type TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('queued','running','done','failed','cancelled')),
      progress REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
      attempts INTEGER NOT NULL DEFAULT 0,
      max_attempts INTEGER NOT NULL DEFAULT 3,
      error TEXT,
      payload TEXT NOT NULL,
      dedupe_key TEXT,
      recording_id INTEGER REFERENCES recordings(id) ON DELETE CASCADE,
      cancel_requested INTEGER NOT NULL DEFAULT 0,
      owner_pid INTEGER,
      heartbeat_at TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX jobs_state ON jobs(state, id);
    CREATE INDEX jobs_recording ON jobs(recording_id);
    CREATE UNIQUE INDEX jobs_active_dedupe ON jobs(dedupe_key) WHERE state IN ('queued','running');
  `,
};
