/**
 * Several processes opening one new data folder at once (a pool's `tempo serve-model`s on one
 * home, the CLI beside the app): the database is migrated once and every process opens it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../src-main/engine/store/migrations/index.js';
import { tempDir } from '../../support/temp.js';

const DB_JS = path.join(process.cwd(), 'build', 'src-main', 'engine', 'store', 'db.js');

/** A process that waits for `go` (a file's time), then opens the store and says the version it found. */
function opener(file: string, at: number): Promise<{ code: number | null; out: string; err: string }> {
  const script = `
    const { openDatabase } = await import(${JSON.stringify(DB_JS)});
    while (Date.now() < ${at}) {}
    const db = openDatabase(${JSON.stringify(file)});
    console.log(db.pragma('user_version', { simple: true }));
    db.close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('migrations under several processes', () => {
  it('migrates a new database once when four processes open it at the same moment', async () => {
    const file = path.join(tempDir('migrate-race-'), 'tempo.db');
    // Every process spins until the same instant after it has loaded, so their opens overlap.
    const at = Date.now() + 1500;
    const runs = await Promise.all([0, 1, 2, 3].map(() => opener(file, at)));
    const latest = MIGRATIONS.at(-1)!.version;
    for (const r of runs) {
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(Number(r.out.trim())).toBe(latest);
    }
    const db = new Database(file, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'recordings'").all();
    db.close();
    expect(tables).toHaveLength(1);
  });
});
