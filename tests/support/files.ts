/** Looking at folders a test made or the product wrote. */
import fs from 'node:fs';
import path from 'node:path';

/** The names in a folder, sorted; none when it does not exist (e.g. <home>/models before an install). */
export function entries(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** The model folders installed in a data folder. */
export function installedModels(home: string): string[] {
  return entries(path.join(home, 'models'));
}
