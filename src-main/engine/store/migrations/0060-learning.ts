import type { Migration } from './types.js';

/**
 * What the verdicts feed: training-data exports (each export id, the file it wrote and the
 * verdicts it took), one confidence calibrator per model, and the model's own confidence of a
 * segment kept beside the calibrated one that the operator sees.
 */
export const m0060: Migration = {
  version: 60,
  name: 'learning',
  up: `
    CREATE TABLE exports (
      id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
      format TEXT NOT NULL CHECK (format IN ('grpo','charades','qvhighlights')),
      options TEXT NOT NULL CHECK (json_valid(options)),
      records INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      content BLOB NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE export_verdicts (
      export_id TEXT NOT NULL REFERENCES exports(id) ON DELETE CASCADE,
      verdict_id INTEGER NOT NULL REFERENCES verdicts(id) ON DELETE CASCADE,
      PRIMARY KEY (export_id, verdict_id)
    ) STRICT;
    CREATE INDEX export_verdicts_verdict ON export_verdicts(verdict_id);
    CREATE TABLE calibrators (
      model_name TEXT PRIMARY KEY,
      method TEXT NOT NULL CHECK (method IN ('isotonic','identity')),
      points TEXT NOT NULL CHECK (json_valid(points)),
      n INTEGER NOT NULL,
      positives INTEGER NOT NULL,
      fitted_at TEXT NOT NULL
    ) STRICT;
    ALTER TABLE segments ADD COLUMN raw_confidence REAL CHECK (raw_confidence IS NULL OR raw_confidence BETWEEN 0 AND 1);
  `,
};
