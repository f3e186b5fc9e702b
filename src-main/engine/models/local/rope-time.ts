/**
 * Qwen2.5-VL's absolute-time M-RoPE, computed here because transformers.js gives every
 * family Qwen2-VL's rule. In the reference get_rope_index, the temporal patch j of a video
 * sits at temporal position floor(j x second_per_grid_t x tokens_per_second) from the
 * video's start, its height and width positions on the spatial grid, all offset by the
 * position where the video begins; text after it continues from the largest position + 1.
 * Frames of a window come as image parts of one temporal patch each (a pair, or one frame
 * doubled), each with its own time, so part k's temporal position is
 * floor((t_k - t_0) x tokens_per_second): the same numbers for uniform frames, and the
 * true times for SAA's uneven ones.
 */

export interface TimedPart {
  /** [t, h, w] patches, as the image processor gives them. */
  grid: readonly number[];
  /** Seconds of the part's first frame. */
  t: number;
}

export interface RopeTimeOptions {
  imageToken: number;
  mergeSize: number;
  tokensPerSecond: number;
}

export interface RopePositions {
  /** Rows t, h and w, one position per token. */
  rows: [number[], number[], number[]];
  /** What to add to a token's index after the prompt to get its position (max + 1 - length). */
  delta: number;
}

/**
 * Positions of one sequence. Runs of image tokens are video blocks; parts are taken in
 * order, each filling (t x h x w) / merge^2 tokens, and times count from the first part of
 * their block.
 */
export function ropeTimePositions(
  ids: ArrayLike<number | bigint>,
  parts: readonly TimedPart[],
  o: RopeTimeOptions,
): RopePositions {
  const rows: [number[], number[], number[]] = [[], [], []];
  const push = (t: number, h: number, w: number) => {
    rows[0].push(t);
    rows[1].push(h);
    rows[2].push(w);
  };
  let next = 0;
  let part = 0;
  const n = ids.length;
  for (let i = 0; i < n;) {
    if (Number(ids[i]) !== o.imageToken) {
      push(next, next, next);
      next++;
      i++;
      continue;
    }
    // A block of image tokens: the parts it holds, on one spatial grid, spaced by their times.
    const base = next;
    const t0 = parts[part]?.t ?? 0;
    let max = base;
    while (i < n && Number(ids[i]) === o.imageToken) {
      const p = parts[part++];
      if (!p) throw new Error('more image tokens than image parts');
      const [gt = 1, gh = 0, gw = 0] = p.grid;
      if (gt !== 1) throw new Error(`an image part of ${gt} temporal patches (one is expected)`);
      const h = gh / o.mergeSize;
      const w = gw / o.mergeSize;
      const tPos = base + Math.floor((p.t - t0) * o.tokensPerSecond);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if (Number(ids[i]) !== o.imageToken) throw new Error('an image part has fewer tokens than its grid');
          push(tPos, base + y, base + x);
          max = Math.max(max, tPos, base + y, base + x);
          i++;
        }
      }
    }
    next = max + 1;
  }
  if (part !== parts.length) throw new Error(`${parts.length} image parts for ${part} in the prompt`);
  return { rows, delta: next - n };
}
