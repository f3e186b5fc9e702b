import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../src-main/engine/store/migrations/index.js';
import { StoreError } from '../../../src-main/engine/errors.js';
import { migrate, openDatabase } from '../../../src-main/engine/store/db.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

afterAll(removeTempDirs);

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

const T = '2026-01-02T03:04:05.000Z';

/**
 * One row for every table, written with the columns the migration that made the table gave
 * it, in an order the foreign keys accept. A migration that adds a table adds its row here.
 */
const SEED: Record<string, Record<string, unknown>> = {
  recordings: {
    id: 1,
    path: '/videos/a.mp4',
    fingerprint: 'fp-a',
    size_bytes: 1000,
    duration_s: 60,
    fps: 25,
    width: 320,
    height: 180,
    codec: 'h264',
    created_at: null,
    imported_at: T,
    poster_path: '/posters/1.jpg',
  },
  jobs: {
    id: 1,
    type: 'scan',
    state: 'done',
    progress: 1,
    attempts: 1,
    max_attempts: 3,
    error: null,
    payload: '{"recordingId":1}',
    dedupe_key: 'scan:1',
    recording_id: 1,
    cancel_requested: 0,
    owner_pid: null,
    heartbeat_at: T,
    created_at: T,
    updated_at: T,
  },
  scans: {
    id: 1,
    recording_id: 1,
    job_id: 1,
    budget_tokens: 16384,
    params: '{}',
    duration_s: 60,
    change_points: '[12.5]',
    frames: '[]',
    visual_tokens: 0,
    uniform_tokens: 0,
    analysis_fps: 4,
    activity: Buffer.from([1, 2, 3]),
    warnings: '[]',
    created_at: T,
  },
  models: { id: 1, name: 'A', dir: '/models/A', family: 'qwen2_vl', manifest: '{}', installed_at: T },
  queries: { id: 1, text: 'a box falls', created_at: T },
  runs: {
    id: 1,
    query_id: 1,
    recording_id: 1,
    model_id: 1,
    model_name: 'A',
    device: 'cpu',
    scan_id: 1,
    job_id: 1,
    window_plan: '[]',
    settings: '{}',
    refused: 0,
    timings: '{}',
    created_at: T,
  },
  segments: {
    id: 1,
    run_id: 1,
    query_id: 1,
    recording_id: 1,
    start_s: 2,
    end_s: 5,
    confidence: 0.8,
    rank: 1,
    source: 'model',
    state: 'accepted',
    created_at: T,
  },
  verdicts: {
    id: 1,
    segment_id: 1,
    verdict: 'accept',
    reason: null,
    start_s: null,
    end_s: null,
    previous_start_s: 2,
    previous_end_s: 5,
    undone: 0,
    source: 'operator',
    created_at: T,
  },
  settings: { key: 'threshold', value: '0.5', updated_at: T },
  exports: {
    id: 'grpo',
    format: 'grpo',
    options: '{}',
    records: 1,
    sha256: 'ab',
    content: Buffer.from('x'),
    created_at: T,
  },
  export_verdicts: { export_id: 'grpo', verdict_id: 1 },
  calibrators: { model_name: 'A', method: 'identity', points: '[]', n: 5, positives: 2, fitted_at: T },
  costs: {
    model: 'A',
    device: 'cpu',
    token_ms: 1.5,
    decode_ms_per_min: 900,
    scan_ms_per_min: null,
    runs: 2,
    updated_at: T,
  },
  window_answers: {
    id: 1,
    query_id: 1,
    recording_id: 1,
    plan_key: 'k',
    window_index: 0,
    outcome: '{}',
    found: null,
    notes: '[]',
    created_at: T,
  },
  run_failures: { id: 1, query_id: 1, recording_id: 1, job_id: 1, error: 'gone', created_at: T },
};

/** Writes SEED's row into every table there is; a table without one fails the test. */
function seed(db: Database.Database): void {
  const missing = tables(db).filter((t) => !(t in SEED));
  expect(missing, 'tables without a row in SEED').toEqual([]);
  for (const [table, row] of Object.entries(SEED)) {
    if (!tables(db).includes(table)) continue;
    const cols = Object.keys(row);
    db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(row);
  }
}

function columns(db: Database.Database, table: string): { name: string; dflt_value: string | null }[] {
  return db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; dflt_value: string | null }[];
}

function everyRow(db: Database.Database, table: string): Record<string, unknown>[] {
  return db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all() as Record<string, unknown>[];
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

  it.each(MIGRATIONS.slice(1).map((m, i) => [m.name, i + 1] as const))(
    '%s keeps the rows already stored, and gives the columns it adds their defaults',
    (_name, i) => {
      const db = new Database(':memory:');
      db.pragma('foreign_keys = ON');
      migrate(db, MIGRATIONS.slice(0, i));
      seed(db);
      const before = new Map(tables(db).map((t) => [t, { cols: columns(db, t), rows: everyRow(db, t) }]));
      expect([...before.values()].every((t) => t.rows.length === 1)).toBe(true);
      migrate(db, MIGRATIONS.slice(0, i + 1));
      for (const [table, was] of before) {
        const rows = everyRow(db, table);
        const kept = was.cols.map((c) => c.name);
        // Every row is still there, each stored value unchanged.
        expect(
          rows.map((r) => Object.fromEntries(kept.map((c) => [c, r[c]]))),
          table,
        ).toEqual(was.rows);
        // A column added to a table that holds rows takes its default there (NULL without one).
        for (const col of columns(db, table).filter((c) => !kept.includes(c.name))) {
          const dflt =
            col.dflt_value === null ? null : (db.prepare(`SELECT ${col.dflt_value} AS v`).get() as { v: unknown }).v;
          expect(
            rows.map((r) => r[col.name]),
            `${table}.${col.name}`,
          ).toEqual(rows.map(() => dflt));
        }
      }
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    },
  );

  it('give every table of the latest schema a row of SEED, foreign keys kept', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db);
    seed(db);
    for (const t of tables(db)) expect(everyRow(db, t), t).toHaveLength(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
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
    const dir = tempDir('tempo-db-');
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
