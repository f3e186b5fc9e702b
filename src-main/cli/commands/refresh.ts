import { refreshRecordings } from '../../engine/api/refresh.js';
import { resolveRecording } from '../../engine/api/recordings.js';
import type { CommandContext } from '../context.js';

/**
 * `tempo refresh [ID|PATH...]`: reads recordings' files again where they changed since import
 * (replaced, or still being written then) and prints what changed; none named: the whole
 * library. Exit 0 when every file could be read, 1 when one is gone or unreadable.
 */
export async function cmdRefresh({ engine, out, args }: CommandContext): Promise<number> {
  const ids = args.map((ref) => resolveRecording(engine, ref).id);
  const result = await refreshRecordings(engine, ids);
  const counts = { unchanged: 0, changed: 0, missing: 0, unreadable: 0 };
  for (const r of result.recordings) counts[r.state]++;
  out.result(result, () =>
    [
      ...result.recordings.map((r) => {
        const head = `${r.state.padEnd(10)} ${String(r.recordingId).padStart(4)}  ${r.path}`;
        if (r.state === 'changed') return `${head}: ${r.changes.join(', ')}`;
        return r.error ? `${head}: ${r.error}` : head;
      }),
      result.recordings.length === 0
        ? 'the library is empty: tempo import PATH'
        : `${counts.changed} changed, ${counts.unchanged} unchanged` +
          (counts.missing > 0 ? `, ${counts.missing} missing` : '') +
          (counts.unreadable > 0 ? `, ${counts.unreadable} unreadable` : ''),
    ].join('\n'),
  );
  return counts.missing + counts.unreadable > 0 ? 1 : 0;
}
