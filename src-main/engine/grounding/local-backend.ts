import type { LocalModel } from '../models/local/model.js';
import { framesMessage, type PromptFrame } from '../models/local/prompt.js';
import type { Asked, AskOptions, GroundingBackend } from './backend.js';

/** The local runtime as a grounding backend: answers and teacher-forced scores on one prompt. */
export class LocalBackend implements GroundingBackend {
  readonly pairsFrames: boolean;

  constructor(
    private readonly model: LocalModel,
    opts: { pairFrames?: boolean } = {},
  ) {
    this.pairsFrames = opts.pairFrames ?? true;
  }

  get modelName(): string {
    return this.model.manifest.name;
  }

  get device(): string {
    return this.model.device;
  }

  visualTokens(width: number, height: number): number {
    return this.model.visualTokens(width, height);
  }

  timeOrigin(groups: readonly (readonly PromptFrame[])[]): number {
    return this.model.time === 'rope-time' ? (groups[0]?.[0]?.t ?? 0) : 0;
  }

  async ask(groups: readonly (readonly PromptFrame[])[], instruction: string, opts: AskOptions): Promise<Asked> {
    const prepared = await this.model.prepare([framesMessage(groups, instruction, this.model.time)]);
    const texts = await this.model.generate(prepared, {
      samples: opts.samples,
      maxNewTokens: opts.maxNewTokens,
      signal: opts.signal,
    });
    return {
      texts,
      compare: async (answer, refusal) => ({
        answerLogProb: await this.model.scoreContinuation(prepared, answer),
        refusalLogProb: await this.model.scoreContinuation(prepared, refusal),
      }),
      done: () => this.model.done(prepared),
    };
  }
}
