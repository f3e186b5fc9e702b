import fs from 'node:fs';
import path from 'node:path';

/** Where the small annotation and prediction files of these tests are. */
const LEARNING_FIXTURES = path.resolve('tests/fixtures/learning');

export function fixture(name: string): string {
  return fs.readFileSync(path.join(LEARNING_FIXTURES, name), 'utf8');
}
