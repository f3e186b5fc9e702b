/** A point of a calibration map: [raw confidence, calibrated confidence]. */
export type CalibrationPoint = [x: number, y: number];

interface Block {
  sumY: number;
  weight: number;
  xMin: number;
  xMax: number;
}

const mean = (b: Block) => b.sumY / b.weight;

/**
 * Isotonic regression by pool-adjacent-violators: the non-decreasing step function of x
 * closest (least squares) to the labels y. Equal x values are pooled first. Returns the map's
 * points: one per block whose x values are all equal, else the block's first and last x,
 * both at the block's mean label. Empty input gives no points.
 */
export function fitIsotonic(xs: readonly number[], ys: readonly number[]): CalibrationPoint[] {
  if (xs.length !== ys.length) throw new Error('fitIsotonic: xs and ys differ in length');
  const order = xs.map((_, i) => i).sort((a, b) => (xs[a] as number) - (xs[b] as number));
  const blocks: Block[] = [];
  for (const i of order) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    const last = blocks.at(-1);
    if (last && last.xMax === x) {
      last.sumY += y;
      last.weight += 1;
    } else blocks.push({ sumY: y, weight: 1, xMin: x, xMax: x });
    // Pool while the last block is below the one before it.
    while (blocks.length > 1 && mean(blocks[blocks.length - 2] as Block) > mean(blocks.at(-1) as Block)) {
      const b = blocks.pop() as Block;
      const a = blocks.at(-1) as Block;
      a.sumY += b.sumY;
      a.weight += b.weight;
      a.xMax = b.xMax;
    }
  }
  return blocks.flatMap((b): CalibrationPoint[] =>
    b.xMin === b.xMax
      ? [[b.xMin, mean(b)]]
      : [
          [b.xMin, mean(b)],
          [b.xMax, mean(b)],
        ],
  );
}

/** The map at x: linear between neighbouring points, flat beyond the first and last; x itself with no points. */
export function applyCalibration(points: readonly CalibrationPoint[], x: number): number {
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last) return x;
  if (x <= first[0]) return first[1];
  if (x >= last[0]) return last[1];
  const hi = points.findIndex((p) => p[0] >= x);
  const [x1, y1] = points[hi] as CalibrationPoint;
  const [x0, y0] = points[hi - 1] as CalibrationPoint;
  if (x1 === x) return y1;
  return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}
