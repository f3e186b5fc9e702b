/**
 * Issue 11, data and jobs: a database error during import fails the run (not the file), and
 * the exit codes automation relies on: re-importing is success, `tempo jobs run` fails only
 * for what it ran now. Real CLI, real SQLite, real ffmpeg-made clips.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../fixtures/make-video.js';
import { countRows as count, storeFile } from '../support/store.js';
import { startTempo, stderrLines, tempHome, tempo, tempoJson } from '../support/tempo-cli.js';

interface ImportDoc {
  imported: { id: number; path: string }[];
  skipped: { path: string; reason: string }[];
}

let clips: string[];

beforeAll(async () => {
  // Eight different clips (different content, so no two are the same recording): each takes
  // ffprobe and a poster to import, so the lock taken after the first lands long before the last.
  clips = await Promise.all(
    ['0x203040', '0x402030', '0x304020', '0x606060', '0x102030', '0x301020', '0x203010', '0x505050'].map((background) =>
      makeVideo({ durationS: 2, width: 160, height: 90, background, noise: 0 }),
    ),
  );
});

describe('a database error during import', () => {
  it('fails the run with one line naming the database problem; files imported before it stay', async () => {
    const home = tempHome();
    expect((await tempo(home, ['list'])).code).toBe(0); // creates the database
    const { child, done } = startTempo(home, ['--json', 'import', ...clips]);
    // Another program takes the write lock as soon as the first file is in, and holds it.
    const holder = new Database(storeFile(home));
    holder.pragma('busy_timeout = 2000');
    let locked = false;
    let exited = false;
    void done.then(() => (exited = true));
    while (!exited) {
      if ((holder.prepare('SELECT count(*) AS n FROM recordings').get() as { n: number }).n > 0) {
        holder.exec('BEGIN IMMEDIATE');
        locked = true;
        break;
      }
      await sleep(5);
    }
    const run = await done;
    if (locked) holder.exec('ROLLBACK');
    holder.close();
    expect(child.exitCode).toBe(1);
    expect(locked).toBe(true);
    const lines = stderrLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^tempo: import stopped at .+: the database .+tempo\.sqlite is locked by another program \(SQLITE_BUSY/,
    );
    // What got in is reported and stays; no file is blamed for the database.
    const doc = JSON.parse(run.stdout) as ImportDoc;
    expect(doc.imported.length).toBeGreaterThan(0);
    expect(doc.imported.length).toBeLessThan(clips.length);
    expect(doc.skipped).toEqual([]);
    expect(count(home, 'recordings')).toBe(doc.imported.length);
    // The file it stopped at left no poster behind.
    expect(fs.readdirSync(path.join(home, 'posters'))).toHaveLength(doc.imported.length);

    // Once the lock is gone, importing again brings in the rest and is success.
    const again = await tempo(home, ['--json', 'import', ...clips]);
    expect(again.code).toBe(0);
    expect(count(home, 'recordings')).toBe(clips.length);
  });
});

describe('exit codes for automation', () => {
  it('re-importing files already in the library is success, said as "already in the library"', async () => {
    const home = tempHome();
    await tempoJson(home, ['import', clips[0] as string, clips[1] as string]);
    const again = await tempo(home, ['import', clips[0] as string, clips[1] as string]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    expect(again.stdout).toContain(`${clips[0]}: already in the library (id 1)`);
    expect(again.stdout.trim().split('\n').at(-1)).toBe('0 imported, 2 already in the library, 0 skipped');
    // Only problems fail it: nothing given is in the library.
    const bad = path.join(home, 'notes.mp4');
    fs.writeFileSync(bad, 'not a video');
    const failed = await tempo(home, ['import', bad]);
    expect(failed.code).toBe(1);
    expect(stderrLines(failed)).toEqual([expect.stringMatching(/^tempo: nothing imported: .+notes\.mp4: /)]);
  });

  it('`tempo jobs run` fails only for failures of what it ran now, not for old failed jobs', async () => {
    const home = tempHome();
    const gone = path.join(home, 'gone.mp4');
    fs.copyFileSync(clips[2] as string, gone);
    await tempoJson(home, ['import', gone]);
    fs.rmSync(gone);
    // A scan of a vanished file fails: an old failed job stays in the table.
    expect((await tempo(home, ['scan', '1'])).code).toBe(1);
    expect((await tempoJson<{ jobs: { state: string }[] }>(home, ['jobs'])).doc.jobs[0]?.state).toBe('failed');

    const nothing = await tempo(home, ['--json', 'jobs', 'run']);
    expect(nothing.code).toBe(0);
    expect((JSON.parse(nothing.stdout) as { ran: unknown[] }).ran).toEqual([]);

    // A job it runs now that fails does fail it.
    const db = new Database(storeFile(home));
    const now = new Date().toISOString();
    const queued = db
      .prepare(
        "INSERT INTO jobs (type, state, payload, recording_id, max_attempts, created_at, updated_at) VALUES ('scan', 'queued', ?, 1, 3, ?, ?)",
      )
      .run(JSON.stringify({ recordingId: 1, budgetTokens: 16384 }), now, now);
    db.close();
    const failing = await tempo(home, ['--json', 'jobs', 'run']);
    expect(failing.code).toBe(1);
    const doc = JSON.parse(failing.stdout) as { ran: { id: number; state: string }[] };
    // Only the job queued just now ran (its id follows the import's and the scan's jobs).
    expect(doc.ran).toEqual([expect.objectContaining({ id: Number(queued.lastInsertRowid), state: 'failed' })]);
  });
});
