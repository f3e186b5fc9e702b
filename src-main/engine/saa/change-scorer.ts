/** A small grey frame as fed to {@link ChangeScorer}: one byte per pixel, row-major. */
export interface GreyFrame {
  width: number;
  height: number;
  /** May be reused by the caller after `push` returns: the scorer copies what it keeps. */
  data: Uint8Array;
}

/** How much each sample of a recording changes, from {@link ChangeScorer.finish}. */
export interface ActivityTrack {
  /** Samples per second; sample i shows the recording at i/fps seconds. */
  fps: number;
  /** Number of samples. */
  count: number;
  /** Estimated per-frame noise of the recording in grey levels at the analysis size. */
  noiseSigma: number;
  /** Grey-level difference a pixel must exceed to count as changed. */
  threshold: number;
  /**
   * How long activity may linger after a change has stopped, seconds: the slow channel
   * still sees a settled step for this long.
   */
  lingerS: number;
  /**
   * Per sample, the fraction of the frame that changed beyond what the recording's own
   * noise explains, 0 (nothing) to 1 (everything). Sample 0 is always 0.
   */
  activity: Float32Array;
}

export interface ChangeScorerOptions {
  /** Sampling rate of the frames that will be pushed, frames per second. */
  fps: number;
  /** The threshold is at least this many grey levels (compression flicker stays below it). */
  minThreshold?: number;
  /** The threshold is at least this many noise standard deviations of a frame difference. */
  noiseK?: number;
}

/**
 * Candidate thresholds in grey levels. Per sample only the count of pixels above each is
 * kept, so memory per sample is tiny and does not depend on the frame size.
 */
const EDGES = [3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 20, 24, 28, 32, 40] as const;
/** Histogram of one sample's differences used for its median: exact integers 0..MEDIAN_BINS-1. */
const MEDIAN_BINS = 64;
/** A Gaussian's median absolute value in standard deviations. */
const MAD_TO_SIGMA = 1 / 0.6745;
/** Most of the frame's fraction that is taken for residual noise and subtracted. */
const MAX_BASE = 0.002;
/** Samples per storage chunk; the track grows chunk by chunk, never copying. */
const CHUNK = 4096;
/** Values stored per sample (16 bits each): median, then fast counts, then slow counts. */
const STRIDE = 1 + 2 * EDGES.length;
/** Fixed-point scale of the stored median difference. */
const MEDIAN_SCALE = 256;
/** Fixed-point scale of the stored fractions of pixels. */
const FRACTION_SCALE = 65535;

/**
 * Scores how much a recording changes, one small grey frame at a time.
 *
 * Each frame is compared with the previous one (fast changes) and with the frame about
 * one second back (slow changes, such as a slow pan whose frame-to-frame difference stays
 * under the noise). A pixel counts in the slow channel only where it also differs from the
 * frame half a second back by half the threshold, so a step change that has settled stops
 * counting after half a second instead of after a full second.
 *
 * Per sample only compact statistics are kept (the median difference and the number of
 * pixels above each candidate threshold); the noise floor is estimated at `finish()` as
 * the median over samples of the per-sample median difference, and the threshold is set
 * well above it. Only a ring of about one second of frames is held.
 */
export class ChangeScorer {
  readonly fps: number;
  private readonly lag: number;
  private readonly halfLag: number;
  private readonly minThreshold: number;
  private readonly noiseK: number;
  private ring: Uint8Array[] = [];
  private pixels = 0;
  private count = 0;
  private readonly chunks: Uint16Array[] = [];
  private readonly medianHist = new Uint32Array(MEDIAN_BINS);
  private readonly fastAt = new Uint32Array(EDGES.length);
  private readonly slowAt = new Uint32Array(EDGES.length);

  constructor(opts: ChangeScorerOptions) {
    if (!(opts.fps > 0)) throw new RangeError('ChangeScorer: fps must be positive');
    this.fps = opts.fps;
    this.lag = Math.max(2, Math.round(opts.fps));
    this.halfLag = Math.max(1, Math.round(this.lag / 2));
    this.minThreshold = opts.minThreshold ?? 6;
    this.noiseK = opts.noiseK ?? 5;
  }

  /** Number of frames pushed so far. */
  get samples(): number {
    return this.count;
  }

  /** Adds the next frame in time order. All frames must have the same size. */
  push(frame: GreyFrame): void {
    const n = frame.width * frame.height;
    if (this.count === 0) {
      if (n <= 0 || frame.data.length < n) throw new RangeError('ChangeScorer: empty frame');
      this.pixels = n;
      this.ring = Array.from({ length: this.lag }, () => new Uint8Array(n));
    } else if (n !== this.pixels) {
      throw new RangeError('ChangeScorer: frame size changed');
    }
    const row = this.row(this.count);
    if (this.count > 0) this.score(frame.data, row);
    this.ring[this.count % this.lag]!.set(frame.data.subarray(0, n));
    this.count += 1;
  }

  /** Ends the stream: estimates the noise floor and returns the activity of every sample. */
  finish(): ActivityTrack {
    const medians: number[] = [];
    for (let i = 1; i < this.count; i++) medians.push(this.row(i)[0]! / MEDIAN_SCALE);
    const medianDiff = median(medians);
    // |a-b| of two frames with independent noise sigma has median 0.6745*sqrt(2)*sigma.
    const diffSigma = medianDiff * MAD_TO_SIGMA;
    const wanted = Math.max(this.minThreshold, this.noiseK * diffSigma);
    let e = EDGES.findIndex((edge) => edge >= wanted);
    if (e < 0) e = EDGES.length - 1;
    const threshold = EDGES[e]!;
    const raw = new Float32Array(this.count);
    for (let i = 1; i < this.count; i++) {
      const r = this.row(i);
      const fast = r[1 + e]! / FRACTION_SCALE;
      const slow = r[1 + EDGES.length + e]! / FRACTION_SCALE;
      raw[i] = Math.max(fast, slow);
    }
    // What noise and flicker still push over the threshold is the level of the quiet samples
    // (a low quantile), capped so that a recording busy all along keeps its activity.
    const base = Math.min(MAX_BASE, quantile(Array.from(raw.subarray(1)), 0.25));
    const activity = raw.map((v) => Math.max(0, v - base));
    activity[0] = 0;
    return {
      fps: this.fps,
      count: this.count,
      noiseSigma: diffSigma / Math.SQRT2,
      threshold,
      lingerS: (this.halfLag - 1) / this.fps,
      activity,
    };
  }

  /** Storage of sample i: [median diff, fast counts per edge, slow counts per edge]. */
  private row(i: number): Uint16Array {
    const c = Math.floor(i / CHUNK);
    while (this.chunks.length <= c) this.chunks.push(new Uint16Array(CHUNK * STRIDE));
    const off = (i % CHUNK) * STRIDE;
    return this.chunks[c]!.subarray(off, off + STRIDE);
  }

  private score(cur: Uint8Array, row: Uint16Array): void {
    const i = this.count;
    const prev = this.ring[(i - 1) % this.lag]!;
    const lagBack = i >= this.lag ? this.ring[i % this.lag]! : this.ring[0]!;
    const halfBack = this.ring[Math.max(0, i - this.halfLag) % this.lag]!;
    const { medianHist: hist, fastAt, slowAt } = this;
    hist.fill(0);
    fastAt.fill(0);
    slowAt.fill(0);
    const nE = EDGES.length;
    for (let p = 0; p < this.pixels; p++) {
      const v = cur[p]!;
      const d = Math.abs(v - prev[p]!);
      hist[d < MEDIAN_BINS ? d : MEDIAN_BINS - 1]! += 1;
      bump(fastAt, d);
      // Slow: changed over ~1 s and still moving over the last ~0.5 s.
      const dl = Math.abs(v - lagBack[p]!);
      const dh = Math.abs(v - halfBack[p]!);
      bump(slowAt, Math.min(dl, 2 * dh));
    }
    row[0] = Math.round(histMedian(hist, this.pixels) * MEDIAN_SCALE);
    const toFraction = FRACTION_SCALE / this.pixels;
    for (let e = 0; e < nE; e++) {
      row[1 + e] = Math.round(fastAt[e]! * toFraction);
      row[1 + nE + e] = Math.round(slowAt[e]! * toFraction);
    }
  }
}

/** Counts d in every edge bucket it exceeds: counts[e] = pixels with difference > EDGES[e]. */
function bump(counts: Uint32Array, d: number): void {
  for (let e = 0; e < EDGES.length && d > EDGES[e]!; e++) counts[e]! += 1;
}

/**
 * Median of integer differences from their histogram, interpolated as if each integer v
 * were spread over [v-0.5, v+0.5): small noise levels then give fractional medians
 * instead of collapsing to 0 or 1.
 */
function histMedian(hist: Uint32Array, total: number): number {
  const half = total / 2;
  let below = 0;
  for (let v = 0; v < hist.length; v++) {
    const c = hist[v]!;
    if (below + c >= half && c > 0) {
      const lo = v === 0 ? 0 : v - 0.5;
      const width = v === 0 ? 0.5 : 1;
      return lo + ((half - below) / c) * width;
    }
    below += c;
  }
  return hist.length - 1;
}

function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile q (0..1) of values; 0 for none. */
function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
