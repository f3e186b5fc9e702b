import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../engine/errors.js';
import { EXPORT_FORMATS, exportTraining, type ExportResult } from '../../engine/learning/export/export.js';
import type { ExportFormat } from '../../engine/store/exports.js';
import type { CommandContext } from '../context.js';
import { stringOption } from '../options.js';
import type { Output } from '../output.js';

/** A --since value as stored times are written (ISO 8601, UTC); a date alone is its midnight UTC. */
export function parseSince(value: string): string {
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t))
    throw new UsageError(`--since must be a date (2025-01-31) or an ISO time, not '${value}'`);
  return new Date(t).toISOString();
}

/** Writes a file in one step: a temporary file beside it, then a rename. */
function writeAtomically(file: string, content: Buffer): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, file);
}

/** Prints what an export wrote (or why it wrote nothing), human or JSON. */
function reportExport(out: Output, result: ExportResult, format: string, target: string, written: boolean): void {
  const skipped = Object.entries(result.skipped).filter(([, n]) => n > 0);
  out.result(
    {
      id: result.id,
      created: result.created,
      format,
      out: target,
      written,
      records: result.records,
      verdicts: result.verdicts,
      sha256: result.sha256,
      skipped: result.skipped,
    },
    () =>
      [
        !written
          ? `export '${result.id}': nothing new to export; ${target} not written`
          : `export '${result.id}' (${result.created ? 'new' : 'the same as before'}): ${result.records} ${format} records from ${result.verdicts} verdicts -> ${target}`,
        ...(skipped.length > 0 ? [`skipped: ${skipped.map(([k, n]) => `${n} ${k}`).join(', ')}`] : []),
        ...(written ? [`sha256 ${result.sha256}`] : []),
      ].join('\n'),
  );
}

/**
 * `tempo export-training --out FILE --format grpo|charades|qvhighlights [--since DATE] [--model M] [--id NAME]`:
 * the operator's verdicts as training data (docs/training-data.md).
 */
export function cmdExportTraining({ engine, out, args, options }: CommandContext): number {
  if (args.length > 0) throw new UsageError('export-training takes no arguments (see tempo help)');
  const file = stringOption(options, 'out');
  if (!file) throw new UsageError('export-training needs --out FILE');
  const format = stringOption(options, 'format');
  if (!format || !(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`export-training needs --format ${EXPORT_FORMATS.join('|')}`);
  const since = stringOption(options, 'since');
  const id = stringOption(options, 'id');
  if (id !== undefined && !/^[\w.-]{1,200}$/.test(id))
    throw new UsageError('--id: letters, digits, . _ - (at most 200)');
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new UsageError(`--out: folder ${dir} does not exist`);
  const result = exportTraining(engine, {
    format: format as ExportFormat,
    since: since === undefined ? undefined : parseSince(since),
    model: stringOption(options, 'model'),
    id,
  });
  // A new id with nothing to take leaves --out alone (it may hold an earlier export).
  const written = result.verdicts > 0;
  if (written) writeAtomically(path.resolve(file), result.content);
  reportExport(out, result, format, path.resolve(file), written);
  return 0;
}
