import type { Tensor } from '@huggingface/transformers';

/** Time and work of one kind of model call, summed since the model was loaded. */
export interface CallStats {
  calls: number;
  /** Prefill/decode: tokens fed (batch x sequence). Vision: patches encoded. */
  units: number;
  ms: number;
}

/**
 * Where a local model's compute time goes: vision-encoder runs, prefill passes (more than one
 * token a row) and decode steps (one token a row), decoder time excluding the vision encoder
 * it calls. Read by benches and by cost estimates; never by the grounding logic.
 */
export interface ComputeStats {
  vision: CallStats;
  prefill: CallStats;
  decode: CallStats;
}

export function emptyComputeStats(): ComputeStats {
  return {
    vision: { calls: 0, units: 0, ms: 0 },
    prefill: { calls: 0, units: 0, ms: 0 },
    decode: { calls: 0, units: 0, ms: 0 },
  };
}

type Forward = (inputs: Record<string, unknown>) => Promise<unknown>;
type Encode = (inputs: { pixel_values: Tensor; image_grid_thw: Tensor }) => Promise<Tensor>;

/** Wraps a vision encoder so each run adds to `stats.vision` (patches = rows of pixel_values). */
export function timedEncode(encode: Encode, stats: ComputeStats): Encode {
  return async (inputs) => {
    const start = performance.now();
    try {
      return await encode(inputs);
    } finally {
      stats.vision.calls++;
      stats.vision.units += inputs.pixel_values.dims[0] ?? 0;
      stats.vision.ms += performance.now() - start;
    }
  };
}

/**
 * Wraps a model's forward pass: its time, less the vision encoder's inside it, goes to prefill
 * when a row holds more than one token, else to decode.
 */
export function timedForward(forward: Forward, stats: ComputeStats): Forward {
  return async (inputs) => {
    const ids = (inputs['input_ids'] ?? inputs['inputs_embeds']) as Tensor | undefined;
    const [batch = 1, seq = 1] = ids?.dims ?? [];
    const visionBefore = stats.vision.ms;
    const start = performance.now();
    try {
      return await forward(inputs);
    } finally {
      const ms = performance.now() - start - (stats.vision.ms - visionBefore);
      const kind = seq > 1 ? stats.prefill : stats.decode;
      kind.calls++;
      kind.units += batch * seq;
      kind.ms += ms;
    }
  };
}
