import type { Migration } from './types.js';

export const m0030: Migration = {
  version: 30,
  name: 'scans',
  up: `
    CREATE TABLE scans (
      id INTEGER PRIMARY KEY,
      recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
      job_id INTEGER UNIQUE REFERENCES jobs(id) ON DELETE SET NULL,
      budget_tokens INTEGER NOT NULL,
      params TEXT NOT NULL,
      duration_s REAL NOT NULL,
      change_points TEXT NOT NULL,
      frames TEXT NOT NULL,
      visual_tokens INTEGER NOT NULL,
      uniform_tokens INTEGER NOT NULL,
      analysis_fps REAL NOT NULL,
      activity BLOB NOT NULL,
      warnings TEXT NOT NULL DEFAULT '[]',
      created_at TEXT NOT NULL,
      UNIQUE (recording_id, budget_tokens, params)
    ) STRICT;
    CREATE INDEX scans_recording ON scans(recording_id, id);
  `,
};
