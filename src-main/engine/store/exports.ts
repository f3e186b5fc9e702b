import { gunzipSync, gzipSync } from 'node:zlib';
import { nowIso, type DB } from './db.js';

export type ExportFormat = 'grpo' | 'charades' | 'qvhighlights';

/** What an export was asked for; an export id is bound to these. */
export interface ExportOptions {
  format: ExportFormat;
  since: string | null;
  model: string | null;
}

export interface StoredExport {
  id: string;
  options: ExportOptions;
  records: number;
  sha256: string;
  content: Buffer;
  createdAt: string;
}

/**
 * Training-data exports: each export id with the exact file it wrote (gzipped) and the
 * verdicts it took, so re-running an id gives the same bytes and no verdict is taken twice.
 */
export class ExportsRepo {
  constructor(private readonly db: DB) {}

  get(id: string): StoredExport | undefined {
    const row = this.db
      .prepare('SELECT id, options, records, sha256, content, created_at FROM exports WHERE id = ?')
      .get(id) as
      { id: string; options: string; records: number; sha256: string; content: Buffer; created_at: string } | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      options: JSON.parse(row.options) as ExportOptions,
      records: row.records,
      sha256: row.sha256,
      content: gunzipSync(row.content),
      createdAt: row.created_at,
    };
  }

  /** Ids of the verdicts that exports of this format have taken. */
  taken(format: ExportFormat): Set<number> {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT ev.verdict_id AS id FROM export_verdicts ev JOIN exports e ON e.id = ev.export_id
         WHERE e.format = ?`,
      )
      .all(format) as { id: number }[];
    return new Set(rows.map((r) => r.id));
  }

  /** Records a new export with its file and the verdicts it took, in one transaction. */
  insert(e: Omit<StoredExport, 'createdAt'>, verdictIds: readonly number[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO exports (id, format, options, records, sha256, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(e.id, e.options.format, JSON.stringify(e.options), e.records, e.sha256, gzipSync(e.content), nowIso());
      const put = this.db.prepare('INSERT INTO export_verdicts (export_id, verdict_id) VALUES (?, ?)');
      for (const v of verdictIds) put.run(e.id, v);
    })();
  }
}
