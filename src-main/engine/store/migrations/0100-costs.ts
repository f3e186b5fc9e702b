import type { Migration } from './types.js';

/**
 * What work costs on this machine, measured by the runs that did it, so a query can say how
 * long it will take before it starts: one row per model and device (the SAA scan, which needs
 * no model, under model '' on device 'cpu'), each rate an average weighted toward the latest
 * run (store/costs.ts), NULL until measured. And when a job's current run started, for its ETA.
 */
export const m0100: Migration = {
  version: 100,
  name: 'costs',
  up: `
    CREATE TABLE costs (
      model TEXT NOT NULL,
      device TEXT NOT NULL,
      token_ms REAL CHECK (token_ms IS NULL OR token_ms >= 0),
      decode_ms_per_min REAL CHECK (decode_ms_per_min IS NULL OR decode_ms_per_min >= 0),
      scan_ms_per_min REAL CHECK (scan_ms_per_min IS NULL OR scan_ms_per_min >= 0),
      runs INTEGER NOT NULL DEFAULT 0 CHECK (runs >= 0),
      updated_at TEXT NOT NULL,
      PRIMARY KEY (model, device)
    ) STRICT;
    ALTER TABLE jobs ADD COLUMN started_at TEXT;
  `,
};
