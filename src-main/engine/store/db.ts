import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { StoreError } from '../errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type DB = Database.Database;

function checkOrder(migrations: readonly Migration[]): void {
  let last = 0;
  for (const m of migrations) {
    if (m.version <= last) throw new StoreError(`migration ${m.name} (${m.version}) is out of order`);
    last = m.version;
  }
}

/**
 * Runs the pending migrations in one transaction and sets user_version to the last one. The
 * version is read inside the write transaction: two processes opening a new data folder at
 * once (a pool's servers, the CLI beside the app) migrate it once, the second finding it done.
 */
export function migrate(db: DB, migrations: readonly Migration[] = MIGRATIONS): number {
  checkOrder(migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  const versionNow = () => db.pragma('user_version', { simple: true }) as number;
  const check = (current: number) => {
    if (current > latest)
      throw new StoreError(`database schema ${current} is newer than this build (${latest}): update Tempo Review`);
  };
  // Most opens find nothing to do: no write lock for them.
  const seen = versionNow();
  check(seen);
  if (seen === latest) return seen;
  return db
    .transaction(() => {
      const current = versionNow();
      check(current);
      const pending = migrations.filter((m) => m.version > current);
      for (const m of pending) db.exec(m.up);
      if (pending.length > 0) db.pragma(`user_version = ${latest}`);
      return latest;
    })
    .immediate();
}

/** Opens (creating if needed) a store: WAL, foreign keys on, migrations applied. */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): DB {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    if (file !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Current time as stored in every *_at column. */
export function nowIso(): string {
  return new Date().toISOString();
}
