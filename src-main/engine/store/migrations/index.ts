import { m0010 } from './0010-recordings.js';
import { m0020 } from './0020-jobs.js';
import { m0030 } from './0030-scans.js';
import { m0040 } from './0040-grounding.js';
import { m0050 } from './0050-settings.js';
import { m0060 } from './0060-learning.js';
import { m0070 } from './0070-file-changes.js';
import { m0080 } from './0080-verdict-client.js';
import { m0090 } from './0090-job-result.js';
import { m0100 } from './0100-costs.js';
import { m0110 } from './0110-query-jobs.js';
import type { Migration } from './types.js';

export type { Migration } from './types.js';

/** Every migration, in order. Add new ones at the end. */
export const MIGRATIONS: readonly Migration[] = [
  m0010,
  m0020,
  m0030,
  m0040,
  m0050,
  m0060,
  m0070,
  m0080,
  m0090,
  m0100,
  m0110,
];
