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

/** Runs the pending migrations in one transaction and sets user_version to the last one. */
export function migrate(db: DB, migrations: readonly Migration[] = MIGRATIONS): number {
  checkOrder(migrations);
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new StoreError(`database schema ${current} is newer than this build (${latest}): update Tempo Review`);
  }
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return current;
  db.transaction(() => {
    for (const m of pending) db.exec(m.up);
    db.pragma(`user_version = ${latest}`);
  }).immediate();
  return latest;
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
