import type { LocalModel } from '../models/local/model.js';
import type { PromptFrame } from '../models/local/prompt.js';
import type { Asked, AskOptions, GroundingBackend } from './backend.js';

/** The local runtime as a grounding backend: answers and teacher-forced scores on one prompt. */
export class LocalBackend implements GroundingBackend {
  constructor(private readonly model: LocalModel) {}

  get modelName(): string {
    return this.model.manifest.name;
  }

  get device(): string {
    return this.model.device;
  }

  async ask(frames: readonly PromptFrame[], instruction: string, opts: AskOptions): Promise<Asked> {
    const prepared = await this.model.prepare(frames, instruction);
    const texts = await this.model.generate(prepared, {
      samples: opts.samples,
      maxNewTokens: opts.maxNewTokens,
      signal: opts.signal,
    });
    return { texts, score: (text) => this.model.scoreContinuation(prepared, text) };
  }
}
