import type { Migration } from './types.js';

/** The workstation's settings (review threshold, model, device, server URL...), one JSON value per key. */
export const m0050: Migration = {
  version: 50,
  name: 'settings',
  up: `
    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL CHECK (json_valid(value)),
      updated_at TEXT NOT NULL
    ) STRICT;
  `,
};
