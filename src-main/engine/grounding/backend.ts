import type { PromptFrame } from '../models/local/prompt.js';

export interface AskOptions {
  samples: number;
  maxNewTokens: number;
  signal?: AbortSignal;
}

/** One question to a model about a set of frames: its sampled answers and a way to score texts. */
export interface Asked {
  texts: string[];
  /** Mean log-probability per token of `text` as the answer to this prompt, where the backend can tell. */
  score?: (text: string) => Promise<number>;
}

/** Where grounding questions go: a local model on a device, or a model server. */
export interface GroundingBackend {
  readonly modelName: string;
  readonly device: string;
  ask(frames: readonly PromptFrame[], instruction: string, opts: AskOptions): Promise<Asked>;
}
