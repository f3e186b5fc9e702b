import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionContentPart,
  ChatCompletionCreateParamsNonStreaming,
} from 'openai/resources/chat/completions';
import { EngineError } from '../errors.js';
import { dataUrl, encodeImage, type ImageFormat } from '../media/images.js';
import { partLabel, type PromptFrame } from '../models/local/prompt.js';
import type { Asked, AskOptions, GroundingBackend } from './backend.js';
import { branchPreference, type TokenChoice } from './branch-preference.js';

export interface RemoteOptions {
  /** Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1. */
  url: string;
  token?: string;
  /** The server's model id; default: the only (or first) model it lists. */
  model?: string;
  /** Per-request limit in ms (default 120 s); timeouts are retried unless `retryTimeouts` is false. */
  timeoutMs?: number;
  /** Retries after a timeout, a dropped connection, 408/409/429 or 5xx, with exponential backoff (default 3). */
  maxRetries?: number;
  /**
   * Whether a request that timed out is sent again (default true). A pool of several servers
   * says false: a server that hangs is at fault, not the question, and leaves at its first timeout.
   */
  retryTimeouts?: boolean;
  /** How frames travel: JPEG quality 90 (default) or lossless PNG. */
  imageFormat?: ImageFormat;
  /** Temperature of the sampled answers after the first, greedy one (default 0.7). */
  temperature?: number;
}

/** A model server that is down, refuses us, or answers with an error: one line, naming the server. */
export class RemoteError extends EngineError {
  override name = 'RemoteError';
  /** The HTTP status the server answered, where it answered one. */
  constructor(
    template: string,
    readonly status?: number,
  ) {
    super(template);
  }
}

function describeRemoteError(url: string, err: unknown): RemoteError {
  if (err instanceof RemoteError) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError)
    return new RemoteError(`model server ${url} did not answer in time`);
  if (err instanceof OpenAI.APIConnectionError)
    return new RemoteError(`model server ${url} is not reachable (${causeOf(err)})`);
  if (err instanceof OpenAI.AuthenticationError)
    return new RemoteError(`model server ${url} refused the token (401): pass the server's token with {token}`, 401);
  if (err instanceof OpenAI.APIError) {
    // The client puts the status in front of the server's message.
    const msg = (err.message || '').split('\n')[0]?.replace(/^\d{3} /, '');
    return new RemoteError(`model server ${url} answered ${err.status ?? 'an error'}: ${msg}`, err.status);
  }
  return new RemoteError(`model server ${url}: ${(err as Error).message?.split('\n')[0] ?? String(err)}`);
}

/** The deepest system error code under a failed fetch (ECONNREFUSED, ENOTFOUND...), else its message. */
function causeOf(err: Error): string {
  let e: unknown = err;
  let message = err.message;
  for (let depth = 0; e && depth < 5; depth++) {
    const c = e as { code?: unknown; message?: string; cause?: unknown };
    if (typeof c.code === 'string') return c.code;
    if (c.message) message = c.message;
    e = c.cause;
  }
  return message.split('\n')[0] || 'connection failed';
}

/**
 * The grounding backend of the scale-out path: the same windows, sent to an OpenAI-compatible
 * chat-completions server (vLLM, SGLang, llama.cpp server, `tempo serve-model`) with the
 * official client. Each frame is an image part after its time label (ETA); the first
 * answer is greedy with log-probabilities, the rest are `n` samples. Frames are sent one
 * image each (servers do not pair frames).
 */
export class RemoteBackend implements GroundingBackend {
  readonly pairsFrames = false;
  readonly device: string;

  private constructor(
    private readonly client: OpenAI,
    private readonly opts: RemoteOptions,
    readonly modelName: string,
  ) {
    this.device = `remote ${opts.url}`;
  }

  /** Connects: lists the server's models (so a down server or a bad token fails here, before any work) and picks one. */
  static async connect(opts: RemoteOptions): Promise<RemoteBackend> {
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      throw new RemoteError(`not a server URL: '${opts.url}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new RemoteError(`not a server URL: '${opts.url}' (http or https)`);
    const client = new OpenAI({
      baseURL: opts.url,
      apiKey: opts.token ?? 'none',
      timeout: opts.timeoutMs ?? 120_000,
      maxRetries: opts.maxRetries ?? 3,
      // The token is for this URL only: a redirect elsewhere is an error, never followed with it.
      fetchOptions: { redirect: 'error' },
    });
    let ids: string[];
    try {
      ids = [];
      for await (const m of client.models.list({ timeout: Math.min(opts.timeoutMs ?? 120_000, 15_000) }))
        ids.push(m.id);
    } catch (err) {
      throw describeRemoteError(opts.url, err);
    }
    const model = opts.model ?? ids[0];
    if (!model) throw new RemoteError(`model server ${opts.url} lists no model`);
    if (opts.model && !ids.includes(opts.model))
      throw new RemoteError(`model server ${opts.url} has no model '${opts.model}' (it has: ${ids.join(', ')})`);
    return new RemoteBackend(client, opts, model);
  }

  private async content(
    groups: readonly (readonly PromptFrame[])[],
    instruction: string,
  ): Promise<ChatCompletionContentPart[]> {
    const format = this.opts.imageFormat ?? 'jpeg';
    const parts: ChatCompletionContentPart[] = [];
    for (const g of groups) {
      for (const f of g) {
        parts.push({ type: 'text', text: partLabel([f.t]) });
        parts.push({ type: 'image_url', image_url: { url: dataUrl(format, await encodeImage(f, format)) } });
      }
    }
    parts.push({ type: 'text', text: instruction });
    return parts;
  }

  private async create(body: ChatCompletionCreateParamsNonStreaming, signal?: AbortSignal): Promise<ChatCompletion> {
    // Timeouts not retried: this request's own clock, started before the client's (so it fires
    // first), which the client takes for the caller's abort, never retried.
    const clock = this.opts.retryTimeouts === false ? AbortSignal.timeout(this.opts.timeoutMs ?? 120_000) : null;
    const both = clock && signal ? AbortSignal.any([signal, clock]) : (clock ?? signal);
    try {
      return await this.client.chat.completions.create(body, { signal: both });
    } catch (err) {
      if (signal?.aborted) throw new Error('cancelled');
      if (clock?.aborted) throw new RemoteError(`model server ${this.opts.url} did not answer in time`);
      throw describeRemoteError(this.opts.url, err);
    }
  }

  async ask(groups: readonly (readonly PromptFrame[])[], instruction: string, opts: AskOptions): Promise<Asked> {
    const content = await this.content(groups, instruction);
    const base = {
      model: this.modelName,
      messages: [{ role: 'user' as const, content }],
      max_tokens: opts.maxNewTokens,
    };
    const greedy = await this.create({ ...base, temperature: 0, n: 1, logprobs: true, top_logprobs: 5 }, opts.signal);
    const first = greedy.choices[0];
    const texts = [first?.message.content ?? ''];
    // Some servers ignore n: ask again until there are enough samples.
    while (texts.length < opts.samples) {
      const more = await this.create(
        { ...base, temperature: this.opts.temperature ?? 0.7, n: opts.samples - texts.length },
        opts.signal,
      );
      if (more.choices.length === 0) throw new RemoteError(`model server ${this.opts.url} returned no choices`);
      for (const c of more.choices.slice(0, opts.samples - texts.length)) texts.push(c.message.content ?? '');
    }
    const logprobs = (first?.logprobs?.content ?? null) as TokenChoice[] | null;
    return {
      texts,
      compare: async (answer, refusal) => (logprobs ? branchPreference(logprobs, answer, refusal) : null),
    };
  }
}
