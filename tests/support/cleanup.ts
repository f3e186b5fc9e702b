/**
 * Setup file of every project (vitest.config.ts): once a test file's tests and its own
 * afterAll hooks are done, the temporary folders it made with tests/support/temp.ts are removed
 * (vitest ends its workers without the 'exit' event that temp.ts otherwise waits for).
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp.js';

afterAll(removeTempDirs);
