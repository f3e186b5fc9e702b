import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Tempo Review';

/** The OS app-data folder of Tempo Review (what Electron's userData would be). */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env['TEMPO_HOME']) return path.resolve(env['TEMPO_HOME']);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'), APP_NAME);
}

/** Files and folders inside a data directory. */
export function homePaths(home: string): {
  home: string;
  db: string;
  posters: string;
  cache: string;
  /** Prompt prefixes' KV caches (models/local/prefix-disk.ts), bounded apart from the cache above. */
  prefixes: string;
  previews: string;
  thumbs: string;
} {
  return {
    home,
    db: path.join(home, 'tempo.sqlite'),
    posters: path.join(home, 'posters'),
    cache: path.join(home, 'cache'),
    prefixes: path.join(home, 'cache-prefixes'),
    previews: path.join(home, 'previews'),
    thumbs: path.join(home, 'thumbs'),
  };
}
