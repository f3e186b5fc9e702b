import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../src-main/engine/store/migrations/index.js';
import { StoreError } from '../../../src-main/engine/errors.js';
import { migrate, openDatabase } from '../../../src-main/engine/store/db.js';

function tables(db: Database.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
  ).map((r) => r.name);
}

/** Every table's and index's SQL: what a migration changes, whether it adds a table or a column. */
function schema(db: Database.Database): string {
  return (db.prepare('SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name').all() as { sql: string }[])
    .map((r) => r.sql)
    .join(';\n');
}

describe('migrations', () => {
  it('are numbered in increasing steps of 10', () => {
    MIGRATIONS.forEach((m, i) => expect(m.version).toBe((i + 1) * 10));
  });

  it.each(MIGRATIONS.map((m, i) => [m.name, i] as const))('%s applies on top of the ones before it', (_name, i) => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, i));
    const before = schema(db);
    migrate(db, MIGRATIONS.slice(0, i + 1));
    const after = tables(db);
    expect(schema(db)).not.toBe(before);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS[i]?.version);
    for (const t of after) {
      const sql = (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(t) as { sql: string }).sql;
      expect(sql, `${t} is STRICT`).toMatch(/\)\s*STRICT\s*$/);
    }
    db.close();
  });

  it('run all pending steps in one transaction: a failing step leaves nothing behind', () => {
    const db = new Database(':memory:');
    const broken = [
      ...MIGRATIONS,
      { version: 1000, name: 'broken', up: 'CREATE TABLE x (a INTEGER) STRICT; NOT SQL;' },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(tables(db)).toEqual([]);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
  });

  it('refuse a database made by a newer build', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 9990');
    expect(() => migrate(db)).toThrow(StoreError);
  });

  it('refuse migrations out of order', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [MIGRATIONS[1]!, MIGRATIONS[0]!])).toThrow(/out of order/);
  });
});

describe('openDatabase', () => {
  it('opens a file in WAL mode with foreign keys on, and reopens without migrating again', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-db-'));
    const file = path.join(dir, 'sub', 'tempo.sqlite');
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() =>
      db
        .prepare(
          "INSERT INTO scans (recording_id, budget_tokens, params, duration_s, change_points, frames, visual_tokens, uniform_tokens, analysis_fps, activity, created_at) VALUES (42, 1, '{}', 1, '[]', '[]', 0, 0, 4, x'', 'now')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
    const again = openDatabase(file);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    again.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('STRICT tables reject a value of the wrong type', () => {
    const db = openDatabase(':memory:');
    expect(() =>
      db
        .prepare(
          "INSERT INTO recordings (path, fingerprint, size_bytes, duration_s, fps, width, height, codec, imported_at) VALUES ('a', 'b', 'big', 1, 25, 10, 10, 'h264', 'now')",
        )
        .run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
    db.close();
  });
});
