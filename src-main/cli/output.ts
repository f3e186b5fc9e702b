import { eta, formatEta } from '../../src-shared/eta.js';

/**
 * How the CLI talks: one JSON document on stdout with --json, else human lines. stderr carries
 * errors (one line each) and, only when it is a terminal, a live progress line with the time
 * left once there is enough progress to say it (src-shared/eta.ts).
 */
export interface Output {
  json: boolean;
  result(doc: unknown, human: () => string): void;
  /** `startedAtMs`: when the work began (a job's start); unset, when this label was first shown. */
  progress(label: string, fraction: number, startedAtMs?: number): void;
  done(): void;
}

type Stream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean };

/** The progress line: the label, its percentage and, when known, the time left. */
export function progressText(label: string, fraction: number, startedAtMs: number, nowMs: number): string {
  const left = formatEta(eta(startedAtMs, nowMs, fraction));
  return `${label} ${String(Math.floor(fraction * 100)).padStart(3)}%${left ? `  ${left}` : ''}`;
}

export function makeOutput(
  json: boolean,
  stdout: Stream = process.stdout,
  stderr: Stream = process.stderr,
  now: () => number = Date.now,
): Output {
  const tty = stderr.isTTY === true;
  let shown = false;
  // When the label on the line was first shown: where its ETA counts from when no start is given.
  let first = { label: '', atMs: 0 };
  return {
    json,
    result(doc, human) {
      stdout.write((json ? JSON.stringify(doc) : human()) + '\n');
    },
    progress(label, fraction, startedAtMs) {
      if (!tty) return;
      if (label !== first.label) first = { label, atMs: now() };
      // \x1b[K clears what a longer line before it left at the end.
      stderr.write(`\r${progressText(label, fraction, startedAtMs ?? first.atMs, now())}\x1b[K`);
      shown = true;
    },
    done() {
      if (shown) stderr.write('\n');
      shown = false;
    },
  };
}

export function formatDuration(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = (s % 60).toFixed(1).padStart(4, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
