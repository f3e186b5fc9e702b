import { DEFAULT_SETTINGS, Settings } from '../../../src-shared/api.js';
import { nowIso, type DB } from './db.js';

/** Settings in SQLite; a value that no longer fits the schema falls back to its default. */
export class SettingsRepo {
  constructor(private readonly db: DB) {}

  get(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const stored: Record<string, unknown> = {};
    for (const r of rows) stored[r.key] = JSON.parse(r.value) as unknown;
    const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
      const one = Settings.shape[key].safeParse(stored[key]);
      if (key in stored && one.success) out[key] = one.data;
    }
    return out as Settings;
  }

  /** Writes the given keys in one transaction. */
  set(patch: Partial<Settings>): Settings {
    const put = this.db.prepare(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    this.db.transaction(() => {
      const now = nowIso();
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) put.run(k, JSON.stringify(v), now);
    })();
    return this.get();
  }
}
