import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DB } from '../../../src-main/engine/store/db.js';

/** A fresh store in a temporary folder; `close` removes it. */
export function openTempStore(): { db: DB; close: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tempo-learning-'));
  const db = openDatabase(path.join(dir, 'tempo.sqlite'));
  return {
    db,
    close: () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
