import type { Migration } from './types.js';

/**
 * What grounding and review stand on: models, queries, runs of a query over a recording,
 * the segments a run found (or an operator added), and the verdicts on them.
 */
export const m0040: Migration = {
  version: 40,
  name: 'grounding-and-review',
  up: `
    CREATE TABLE models (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      dir TEXT NOT NULL,
      family TEXT NOT NULL,
      manifest TEXT NOT NULL,
      installed_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE queries (
      id INTEGER PRIMARY KEY,
      text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE runs (
      id INTEGER PRIMARY KEY,
      query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
      recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
      model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
      model_name TEXT NOT NULL,
      device TEXT NOT NULL,
      scan_id INTEGER REFERENCES scans(id) ON DELETE SET NULL,
      job_id INTEGER UNIQUE REFERENCES jobs(id) ON DELETE SET NULL,
      window_plan TEXT NOT NULL,
      settings TEXT NOT NULL,
      refused INTEGER NOT NULL CHECK (refused IN (0,1)),
      timings TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX runs_query ON runs(query_id);
    CREATE INDEX runs_recording ON runs(recording_id);
    CREATE TABLE segments (
      id INTEGER PRIMARY KEY,
      run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
      query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
      recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
      start_s REAL NOT NULL CHECK (start_s >= 0),
      end_s REAL NOT NULL CHECK (end_s >= start_s),
      confidence REAL CHECK (confidence BETWEEN 0 AND 1),
      rank INTEGER,
      source TEXT NOT NULL CHECK (source IN ('model','operator')),
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','accepted','rejected','adjusted')),
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX segments_review ON segments(state, confidence);
    CREATE INDEX segments_query ON segments(query_id, recording_id);
    CREATE TABLE verdicts (
      id INTEGER PRIMARY KEY,
      segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
      verdict TEXT NOT NULL CHECK (verdict IN ('accept','reject','adjust','add')),
      reason TEXT CHECK (reason IS NULL OR reason IN ('not-present','wrong-time','partly')),
      start_s REAL,
      end_s REAL,
      previous_start_s REAL,
      previous_end_s REAL,
      undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0,1)),
      source TEXT NOT NULL DEFAULT 'operator',
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX verdicts_segment ON verdicts(segment_id, id);
    CREATE INDEX verdicts_created ON verdicts(created_at);
  `,
};
