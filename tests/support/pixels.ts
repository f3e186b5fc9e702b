/** Comparing decoded pictures in tests. */

/** Mean absolute difference of two pictures of one size and pixel format (0: identical, 255: opposite). */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`pictures of different sizes: ${a.length} and ${b.length} bytes`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s / a.length;
}
