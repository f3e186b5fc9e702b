/** Display formats shared by the views: times, durations, confidences and file names. */

/**
 * A time on a recording as `m:ss.s` (`h:mm:ss.s` from one hour on), rounded to a tenth
 * of a second. Negative or non-finite input shows as `0:00.0`.
 */
export function formatTime(seconds: number): string {
  const tenths = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 10) : 0;
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor((tenths % 36_000) / 600);
  const s = Math.floor((tenths % 600) / 10);
  const t = tenths % 10;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}.${t}`;
}

/** A time range as `m:ss.s – m:ss.s`. */
export function formatRange(startS: number, endS: number): string {
  return `${formatTime(startS)} – ${formatTime(endS)}`;
}

/** A recording's length as `m:ss` (`h:mm:ss` from one hour on), rounded to the second. */
export function formatDuration(seconds: number): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** A confidence in [0, 1] as a whole percentage; null (a segment the operator added) as "added". */
export function formatConfidence(confidence: number | null): string {
  if (confidence === null) return 'added';
  return `${Math.round(Math.min(1, Math.max(0, confidence)) * 100)}%`;
}

/** A progress fraction as a whole percentage in 0..100, for progress bars. */
export function percent(fraction: number): number {
  if (!Number.isFinite(fraction)) return 0;
  return Math.round(Math.min(1, Math.max(0, fraction)) * 100);
}

/** The last component of a path, whichever separator the engine's OS uses. */
export function fileName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
}
