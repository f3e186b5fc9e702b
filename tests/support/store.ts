/** Reading and making Tempo stores (SQLite files) in tests. */
import Database from 'better-sqlite3';
import path from 'node:path';
import { openDatabase, type DB } from '../../src-main/engine/store/db.js';
import { removeTempDir, tempDir } from './temp.js';

/** The store file of a data folder. */
export function storeFile(home: string): string {
  return path.join(home, 'tempo.sqlite');
}

/**
 * Rows of a query on a data folder's store, read-only and closed at once, so a `tempo`
 * process writing it meanwhile is not held up (it waits at most 2 s for a writer).
 */
export function queryRows<T = Record<string, unknown>>(home: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(storeFile(home), { readonly: true, timeout: 2000 });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** How many rows a table of a data folder's store holds. */
export function countRows(home: string, table: string): number {
  return queryRows<{ n: number }>(home, `SELECT count(*) AS n FROM ${table}`)[0]?.n ?? 0;
}

/** A fresh, migrated store in a temporary folder; `close` closes it and removes the folder. */
export function openTempStore(): { dir: string; db: DB; close: () => void } {
  const dir = tempDir('tempo-store-');
  const db = openDatabase(storeFile(dir));
  return {
    dir,
    db,
    close: () => {
      db.close();
      removeTempDir(dir);
    },
  };
}
