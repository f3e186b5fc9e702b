import type { Migration } from './types.js';

export const m0010: Migration = {
  version: 10,
  name: 'recordings',
  up: `
    CREATE TABLE recordings (
      id INTEGER PRIMARY KEY,
      path TEXT NOT NULL UNIQUE,
      fingerprint TEXT NOT NULL UNIQUE,
      size_bytes INTEGER NOT NULL,
      duration_s REAL NOT NULL CHECK (duration_s > 0),
      fps REAL NOT NULL,
      width INTEGER NOT NULL,
      height INTEGER NOT NULL,
      codec TEXT NOT NULL,
      created_at TEXT,
      imported_at TEXT NOT NULL,
      poster_path TEXT
    ) STRICT;
  `,
};
