import { createHash } from 'node:crypto';
import { UsageError } from '../../errors.js';
import type { DB } from '../../store/db.js';
import { ExportsRepo, type ExportFormat, type ExportOptions } from '../../store/exports.js';
import { ReviewedRepo } from '../../store/reviewed.js';
import { FORMATS } from './formats.js';
import { selectRecords, type SkipReason } from './records.js';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['grpo', 'charades', 'qvhighlights'];

export interface ExportRequest {
  format: ExportFormat;
  /** Only verdicts given at or after this time (ISO 8601, as stored). */
  since?: string;
  /** Only verdicts on (or, for added moments, missed by) this model's runs. */
  model?: string;
  /** The export id; by default derived from the format and the other options. */
  id?: string;
}

export interface ExportResult {
  id: string;
  options: ExportOptions;
  /** True when this call made the export; false when it gave back an existing one (or found nothing new). */
  created: boolean;
  /** Lines in the file. */
  records: number;
  /** Verdicts taken by the export. */
  verdicts: number;
  sha256: string;
  content: Buffer;
  /** Of the verdicts this call looked at: those that give no sample, and those an earlier export took. */
  skipped: Record<SkipReason | 'already-exported' | 'not-in-format', number>;
}

/** The export id that options give when none is named: `grpo`, `grpo.since-2025-01-01.model-qwen`. */
export function defaultExportId(o: ExportOptions): string {
  const since = o.since?.replace(/T00:00:00\.000Z$/, '');
  return [o.format, ...(since ? [`since-${since}`] : []), ...(o.model ? [`model-${o.model}`] : [])].join('.');
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function describe(o: ExportOptions): string {
  return [
    `{format} ${o.format}`,
    ...(o.since ? [`{since} ${o.since}`] : []),
    ...(o.model ? [`{model} ${o.model}`] : []),
  ].join(' ');
}

type Skipped = ExportResult['skipped'];

/** The export stored under `id`, given back as it was made; a usage error when it was made with other options. */
function existingExport(store: { db: DB }, id: string, options: ExportOptions, skipped: Skipped): ExportResult | null {
  const existing = new ExportsRepo(store.db).get(id);
  if (!existing) return null;
  if (describe(existing.options) !== describe(options))
    throw new UsageError(`export '${id}' was made with ${describe(existing.options)}: use those, or another {id}`);
  const verdicts = (
    store.db.prepare('SELECT count(*) AS n FROM export_verdicts WHERE export_id = ?').get(id) as { n: number }
  ).n;
  return {
    id,
    options,
    created: false,
    records: existing.records,
    verdicts,
    sha256: existing.sha256,
    content: existing.content,
    skipped,
  };
}

/** Makes the file of the standing verdicts the options select that no export of the format took, and stores it. */
function newExport(store: { db: DB }, id: string, options: ExportOptions, skipped: Skipped): ExportResult {
  const exports = new ExportsRepo(store.db);
  const repo = new ReviewedRepo(store.db);
  const taken = exports.taken(options.format);
  const standing = repo.standing();
  const fresh = standing.filter((v) => {
    if (options.since !== null && v.verdictAt < options.since) return false;
    if (options.model !== null && v.modelName !== options.model) return false;
    if (taken.has(v.verdictId)) skipped['already-exported'] += 1;
    return !taken.has(v.verdictId);
  });
  const selection = selectRecords(repo, fresh, standing);
  Object.assign(skipped, selection.skipped);
  const formatted = FORMATS[options.format](selection.records);
  skipped['not-in-format'] = selection.records.length - formatted.verdictIds.length;
  const content = Buffer.from(formatted.text, 'utf8');
  const result = {
    id,
    options,
    created: formatted.verdictIds.length > 0,
    records: formatted.records,
    verdicts: formatted.verdictIds.length,
    sha256: sha256(content),
    content,
    skipped,
  };
  if (result.created)
    exports.insert({ id, options, records: result.records, sha256: result.sha256, content }, formatted.verdictIds);
  return result;
}

/**
 * Writes (or re-gives) the training data of the operator's verdicts, see docs/training-data.md.
 *
 * An export id names one file for good: the first call under an id takes the standing
 * verdicts that match the options and that no earlier export of the same format took, and
 * stores the file and the verdicts it took; every later call under that id gives back the same
 * bytes, whatever was reviewed since. An id is bound to its options. A call that would take no
 * verdict stores nothing and gives an empty file (the id stays free).
 */
export function exportTraining(store: { db: DB }, req: ExportRequest): ExportResult {
  const options: ExportOptions = { format: req.format, since: req.since ?? null, model: req.model ?? null };
  const id = req.id ?? defaultExportId(options);
  const skipped: Skipped = {
    'wrong-time': 0,
    partly: 0,
    'refusal-overlaps-moment': 0,
    'already-exported': 0,
    'not-in-format': 0,
  };
  return (
    existingExport(store, id, options, skipped) ??
    store.db.transaction((): ExportResult => newExport(store, id, options, skipped)).immediate()
  );
}
