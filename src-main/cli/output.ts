/**
 * How the CLI talks: one JSON document on stdout with --json, else human lines. stderr carries
 * errors (one line each) and, only when it is a terminal, a live progress line.
 */
export interface Output {
  json: boolean;
  result(doc: unknown, human: () => string): void;
  progress(label: string, fraction: number): void;
  done(): void;
}

export function makeOutput(json: boolean, stdout = process.stdout, stderr = process.stderr): Output {
  const tty = stderr.isTTY === true;
  let shown = false;
  return {
    json,
    result(doc, human) {
      stdout.write((json ? JSON.stringify(doc) : human()) + '\n');
    },
    progress(label, fraction) {
      if (!tty) return;
      stderr.write(`\r${label} ${String(Math.floor(fraction * 100)).padStart(3)}%`);
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
