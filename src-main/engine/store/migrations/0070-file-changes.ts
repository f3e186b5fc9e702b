import type { Migration } from './types.js';

/**
 * What tells a recording's file changed since it was read (replaced, or still being written
 * when imported): the file's modification time as last seen (null: not seen yet, so the next
 * check reads its fingerprint), and when a change of its content was last found (ms since
 * the epoch; a preview made before then is of the old content).
 */
export const m0070: Migration = {
  version: 70,
  name: 'file-changes',
  up: `
    ALTER TABLE recordings ADD COLUMN mtime_ms REAL;
    ALTER TABLE recordings ADD COLUMN content_changed_ms REAL;
  `,
};
