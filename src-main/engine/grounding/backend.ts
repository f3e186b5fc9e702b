import type { PromptFrame } from '../models/local/prompt.js';

export interface AskOptions {
  samples: number;
  maxNewTokens: number;
  signal?: AbortSignal;
}

/** How much the model likes two replies to the same prompt: log-probabilities, mean per token. */
export interface Preference {
  answerLogProb: number;
  refusalLogProb: number;
}

/** One question to a model about a set of frames: its sampled answers and a way to weigh answer against refusal. */
export interface Asked {
  texts: string[];
  /** Where the backend can tell: how the model weighs `answer` against `refusal` as its reply; null when it cannot. */
  compare?: (answer: string, refusal: string) => Promise<Preference | null>;
  /** Frees what the question holds (its KV cache) once no more is asked of it. */
  done?: () => Promise<void>;
}

/** Where grounding questions go: a local model on a device, or a model server. */
export interface GroundingBackend {
  readonly modelName: string;
  readonly device: string;
  /** Whether two same-size neighbouring frames may go as one image part (Qwen2-VL's video pairing). */
  readonly pairsFrames: boolean;
  /**
   * Visual tokens the model spends on a frame of this size, where the backend knows its
   * image processor (whose pixel bounds may resize the frame); else the plan's count stands.
   */
  visualTokens?(width: number, height: number): number;
  /** Asks about frame groups (one frame, or a pair) each after its time label, then the instruction. */
  ask(groups: readonly (readonly PromptFrame[])[], instruction: string, opts: AskOptions): Promise<Asked>;
}
