import type { Reliability } from '../../../src-shared/quality.js';

type ReliabilityBin = Reliability['bins'][number];

/**
 * Reliability of confidences `p` against outcomes `y` (1 right, 0 wrong) over `bins`
 * equal-width bins over [0, 1] (1.0 falls in the last), non-empty bins only, lowest first;
 * with the expected calibration error: sum over bins of n_bin / n x |accuracy - mean
 * confidence|, null with no items. The one ECE of the engine: `tempo eval` and the verdict
 * scores use it too.
 */
export function reliability(items: readonly { p: number; y: number }[], bins = 10): Reliability {
  const acc = Array.from({ length: bins }, () => ({ n: 0, p: 0, y: 0 }));
  for (const { p, y } of items) {
    const b = acc[Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))] as { n: number; p: number; y: number };
    b.n += 1;
    b.p += p;
    b.y += y;
  }
  const out: ReliabilityBin[] = [];
  let ece = 0;
  acc.forEach((b, i) => {
    if (b.n === 0) return;
    const bin = { from: i / bins, to: (i + 1) / bins, n: b.n, confidence: b.p / b.n, accuracy: b.y / b.n };
    ece += (b.n / items.length) * Math.abs(bin.accuracy - bin.confidence);
    out.push(bin);
  });
  return { n: items.length, ece: items.length === 0 ? null : ece, bins: out };
}
