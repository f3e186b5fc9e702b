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
  /** The model server that answered, where the backend chose one of several (a pool); kept with the window. */
  server?: string;
}

/** Where grounding questions go: a local model on a device, or a model server. */
export interface GroundingBackend {
  readonly modelName: string;
  readonly device: string;
  /** Whether two same-size neighbouring frames may go as one image part (Qwen2-VL's video pairing). */
  readonly pairsFrames: boolean;
  /**
   * How many questions the backend takes at once usefully: a pool of model servers answers
   * several side by side (requests per server x live servers). Absent: one at a time (a
   * local model runs one prompt at a time on its device), and callers ask in turn.
   */
  readonly concurrency?: number;
  /**
   * Visual tokens the model spends on a frame of this size, where the backend knows its
   * image processor (whose pixel bounds may resize the frame); else the plan's count stands.
   */
  visualTokens?(width: number, height: number): number;
  /**
   * Seconds of recording time from which the model counts the times it reads and answers
   * for these frames: 0 where each frame's time is written in the prompt; the first
   * frame's time where times are rotary positions from the start of the clip (Qwen2.5-VL).
   */
  timeOrigin?(groups: readonly (readonly PromptFrame[])[]): number;
  /** Asks about frame groups (one frame, or a pair), each given its time as the model reads time, then the instruction. */
  ask(groups: readonly (readonly PromptFrame[])[], instruction: string, opts: AskOptions): Promise<Asked>;
}
