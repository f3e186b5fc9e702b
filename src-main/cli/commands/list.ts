import { listRecordings } from '../../engine/api/recordings.js';
import type { CommandContext } from '../context.js';
import { formatDuration } from '../output.js';

/** `tempo list`: the recordings in the library with their scan state. */
export function cmdList({ engine, out }: CommandContext): number {
  const result = listRecordings(engine);
  out.result(result, () =>
    result.recordings.length === 0
      ? 'the library is empty: tempo import PATH'
      : result.recordings
          .map(
            (r) =>
              `${String(r.id).padStart(4)}  ${formatDuration(r.durationS).padStart(9)}  ${r.scan.padEnd(7)}  ${r.path}`,
          )
          .join('\n'),
  );
  return 0;
}
