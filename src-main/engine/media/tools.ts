import ffmpeg from 'fluent-ffmpeg';
import path from 'node:path';

let configuredFfmpeg: string | undefined;

/** Where ffmpeg and ffprobe come from: TEMPO_FFMPEG (path to ffmpeg) or the system PATH. */
export function configureFfmpeg(ffmpegPath = process.env['TEMPO_FFMPEG']): void {
  if (!ffmpegPath) return;
  configuredFfmpeg = ffmpegPath;
  ffmpeg.setFfmpegPath(ffmpegPath);
  const probe = path.join(path.dirname(ffmpegPath), process.platform === 'win32' ? 'ffprobe.exe' : 'ffprobe');
  ffmpeg.setFfprobePath(probe);
}

/** The ffmpeg program to start: the configured one, else FFMPEG_PATH (as fluent-ffmpeg reads it), else the PATH's. */
export function ffmpegProgram(): string {
  return configuredFfmpeg ?? process.env['FFMPEG_PATH'] ?? 'ffmpeg';
}

/** A media problem the user can act on: its message is one line and names no stack. */
export class MediaError extends Error {
  override name = 'MediaError';
}

/**
 * Lines ffmpeg writes on every run, failed or not, that never say what went wrong: progress
 * (`frame=... fps=...`, `size=... time=...`), the closing summary (`video:2132kB audio:0kB
 * ... muxing overhead`), the description of inputs, outputs and stream mapping, per-frame
 * showinfo lines, and the prompt to press q.
 */
const ROUTINE: readonly RegExp[] = [
  /^(frame|size)=\s*\S+.*\btime=/,
  /^video:\s*\d+\S*\s+audio:/,
  /\bmuxing overhead\b/,
  /^Press \[q\]/,
  /^(Input|Output) #\d+/,
  /^Stream (#\d|mapping:)/,
  /^(Duration|Metadata|Side data|Chapters?):/,
  /^Parsed_showinfo_\d+/,
  /^\[Parsed_showinfo_\d+ @/,
  /^Exiting normally/,
  // Timestamp warnings of a file that still decodes.
  /^Past duration \S+ too large/,
  /^More than \d+ frames duplicated/,
];

/** Lines ffmpeg ends a failure with that only say that it failed, not why. */
const CONSEQUENCE: readonly RegExp[] = [
  /^Conversion failed!?$/,
  /^Error while processing the decoded data/,
  /^Failed to inject frame into filter network/,
  /^Error reinitializing filters!?$/,
  /^Error while filtering/,
  /^Nothing was written into output file/,
];

/** Words of a line that says something went wrong. */
const TROUBLE =
  /error|invalid|fail|cannot|can't|could not|couldn't|unable|not found|no such|denied|unknown|unrecogni[sz]ed|unsupported|not supported|does not|doesn't|no space|broken pipe|killed|too (many|large|big)|corrupt|truncated|missing|moov atom|out of memory|empty/i;

/** A stderr line without its leading/trailing space and its `[h264 @ 0x55...]` source tag. */
function clean(line: string): string {
  return line.trim().replace(/^(\[[^\]]+\]\s*)+/, '');
}

/** True for a line ffmpeg writes on every run (progress, summary, stream description). */
export function isRoutineLine(line: string): boolean {
  // Metadata and codec details are indented ("      handler_name    : VideoHandler").
  if (/^\s+[\w.-]+\s*: /.test(line)) return true;
  const raw = line.trim();
  if (raw.length === 0) return true;
  const text = clean(line);
  return text.length === 0 || ROUTINE.some((r) => r.test(raw) || r.test(text));
}

/** True for a line with a `[h264 @ 0x55...]` source tag: a library's message, not ffmpeg's own. */
function tagged(line: string): boolean {
  return /^\s*\[[^\]]+\]/.test(line);
}

/**
 * The line of ffmpeg's stderr that says what went wrong: the first line of ffmpeg's own
 * naming a problem ("clip.mp4: Invalid data found when processing input"), else the first
 * such line of a library ("[AVFilterGraph @ 0x...] No such filter"): the lines after it are
 * mostly its consequences ('Conversion failed!'), and a decoder's earlier complaints are
 * often ones it recovered from. Else the last line that is not routine (progress, the
 * closing `video:...kB audio:...` summary, stream descriptions), else `fallback`. The line
 * comes without its source tag.
 */
export function ffmpegErrorLine(lines: readonly string[], fallback: string): string {
  const meaningful = lines.filter((l) => !isRoutineLine(l));
  const causes = meaningful.filter((l) => TROUBLE.test(clean(l)) && !CONSEQUENCE.some((r) => r.test(clean(l))));
  const cause = causes.find((l) => !tagged(l)) ?? causes[0] ?? meaningful.at(-1);
  return cause === undefined ? fallback : clean(cause);
}

/** The line of ffmpeg's stderr (as text) that says what went wrong; see ffmpegErrorLine. */
export function lastErrorLine(stderr: string | undefined, fallback: string): string {
  return ffmpegErrorLine((stderr ?? '').split(/\r\n|\r|\n/), fallback);
}

/** How an ffmpeg process ended. */
export interface FfmpegExit {
  /** Exit code; null when a signal ended it or it never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it could not be started (e.g. ENOENT), or null. */
  startError: Error | null;
  /** Its stderr lines worth reading: the lines naming a problem, and the last few others. */
  stderr: string[];
}

/** True when ffmpeg did not end with exit code 0. */
export function ffmpegFailed(exit: FfmpegExit): boolean {
  return exit.startError !== null || exit.signal !== null || exit.code !== 0;
}

/** How ffmpeg ended, in words: 'exit code 1', 'killed by signal SIGKILL'. */
export function describeExit(exit: FfmpegExit): string {
  if (exit.startError) return exit.startError.message;
  if (exit.signal) return `killed by signal ${exit.signal}`;
  return `exit code ${exit.code ?? 'unknown'}`;
}

/**
 * Why ffmpeg failed, in one line: the stderr line naming the problem, then how it ended,
 * e.g. "Invalid data found when processing input (exit code 1)".
 */
export function ffmpegReason(exit: FfmpegExit): string {
  const how = describeExit(exit);
  const line = ffmpegErrorLine(exit.stderr, '');
  return line ? `${line} (${how})` : how;
}

/**
 * The one-line message of a failed ffmpeg run: 'ffmpeg failed: ' and its reason, or, for one
 * that could not be started, that ffmpeg is missing (or why it could not start).
 */
export function ffmpegFailure(exit: FfmpegExit): string {
  if (exit.startError) {
    if ((exit.startError as NodeJS.ErrnoException).code === 'ENOENT') {
      return 'ffmpeg was not found: install ffmpeg or set TEMPO_FFMPEG';
    }
    return `ffmpeg could not be started: ${exit.startError.message}`;
  }
  return `ffmpeg failed: ${ffmpegReason(exit)}`;
}

/** Most lines a StderrLog keeps of each kind. */
const KEEP = 40;

/**
 * Keeps what is worth reading of a long stderr without holding all of it: every line naming
 * a problem up to KEEP of them (the first is usually the cause), and the last KEEP other
 * lines that are not routine.
 */
export class StderrLog {
  private readonly trouble: string[] = [];
  private readonly recent: string[] = [];

  push(line: string): void {
    if (isRoutineLine(line)) return;
    const text = clean(line);
    if (TROUBLE.test(text)) {
      if (this.trouble.length < KEEP) this.trouble.push(line);
      return;
    }
    this.recent.push(line);
    if (this.recent.length > KEEP) this.recent.shift();
  }

  /** The kept lines: problems first, then the others. */
  lines(): string[] {
    return [...this.trouble, ...this.recent];
  }
}
