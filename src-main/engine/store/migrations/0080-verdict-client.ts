import type { Migration } from './types.js';

/**
 * Which client (one window or browser page) gave each verdict, so Undo takes back the
 * caller's own last action and never another operator's. Older verdicts have none.
 */
export const m0080: Migration = {
  version: 80,
  name: 'verdict-client',
  up: `
    ALTER TABLE verdicts ADD COLUMN client_id TEXT;
    CREATE INDEX verdicts_client ON verdicts(client_id, id);
  `,
};
