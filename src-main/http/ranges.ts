/** Byte ranges: what a <video> asks for when it seeks, answered the same by every shell that serves files. */

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/** One byte range of a file of `size` bytes from a Range header; null for the whole file, 'bad' when unsatisfiable. */
export function byteRange(header: string | undefined | null, size: number): ByteRange | null | 'bad' {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!m || (!m[1] && !m[2])) return null;
  let start = m[1] ? Number(m[1]) : size - Number(m[2]);
  let end = m[1] && m[2] ? Number(m[2]) : size - 1;
  start = Math.max(0, start);
  end = Math.min(end, size - 1);
  if (start > end || start >= size) return 'bad';
  return { start, end };
}

/** How to answer a request for a file of `size` bytes: the status, its range headers, and the bytes to send. */
export interface RangedAnswer {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  /** The bytes to send (206); absent for the whole file (200) and for none (416). */
  range?: ByteRange;
}

/**
 * The answer to a Range header (or none) for a file of `size` bytes: 200 with its length,
 * 206 with `content-range` for one satisfiable range, 416 for an unsatisfiable one.
 */
export function rangedAnswer(header: string | undefined | null, size: number): RangedAnswer {
  const range = byteRange(header, size);
  if (range === 'bad') return { status: 416, headers: { 'content-range': `bytes */${size}` } };
  if (range === null) return { status: 200, headers: { 'content-length': String(size) } };
  const { start, end } = range;
  return {
    status: 206,
    headers: { 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(end - start + 1) },
    range,
  };
}
