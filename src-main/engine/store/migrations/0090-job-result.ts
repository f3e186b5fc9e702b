import type { Migration } from './types.js';

/**
 * What a job that ended done hands back to whoever asked for it (an import's imported and
 * skipped files, a scan's or run's id), as JSON, written in the transaction that ends it.
 */
export const m0090: Migration = {
  version: 90,
  name: 'job-result',
  up: `
    ALTER TABLE jobs ADD COLUMN result TEXT;
  `,
};
