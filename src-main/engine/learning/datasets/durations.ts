import { numberedLines, type EvalItem, type Skipped } from './types.js';

/** Splits one CSV line; double-quoted fields may hold commas and "" for a quote. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted && c === '"' && line[i + 1] === '"') {
      cur += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      fields.push(cur);
      cur = '';
    } else cur += c;
  }
  fields.push(cur);
  return fields.map((f) => f.trim());
}

/**
 * Video durations from a CSV: `id,duration` lines, with or without a header. A header may
 * name the columns in any order (`id` and `duration` or `length`, as Charades_v1_*.csv do).
 */
export function readDurationsCsv(text: string): { durations: Map<string, number>; skipped: Skipped[] } {
  const durations = new Map<string, number>();
  const skipped: Skipped[] = [];
  let idCol = 0;
  let durCol = 1;
  for (const [i, { line, text: t }] of numberedLines(text).entries()) {
    const fields = csvFields(t);
    if (i === 0 && !Number.isFinite(Number(fields[1] ?? ''))) {
      const names = fields.map((f) => f.toLowerCase());
      idCol = Math.max(0, names.indexOf('id'));
      const d = names.findIndex((n) => n === 'duration' || n === 'length');
      durCol = d >= 0 ? d : 1;
      continue;
    }
    const id = fields[idCol] ?? '';
    const d = Number(fields[durCol] ?? '');
    if (id.length === 0 || !Number.isFinite(d) || d <= 0)
      skipped.push({ file: 'durations', line, reason: 'not "id,duration" with a positive duration' });
    else durations.set(id, d);
  }
  return { durations, skipped };
}

/** Fills in missing durations from a map; items still without one are returned apart. */
export function withDurations(
  items: readonly EvalItem[],
  durations: ReadonlyMap<string, number>,
): { items: EvalItem[]; missing: EvalItem[] } {
  const out: EvalItem[] = [];
  const missing: EvalItem[] = [];
  for (const item of items) {
    const durationS = item.durationS ?? durations.get(item.video) ?? null;
    if (durationS === null) missing.push(item);
    else out.push({ ...item, durationS });
  }
  return { items: out, missing };
}
