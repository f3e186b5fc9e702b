import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, UsageError } from '../../errors.js';
import { decodeDataUrl, ImageError } from '../../media/images.js';
import type { LocalModel, TokenLogprob } from '../local/model.js';
import type { PromptMessage, PromptPart } from '../local/prompt.js';

const ContentPart = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }) }),
]);

export const ChatRequest = z.object({
  model: z.string().optional(),
  messages: z
    .array(
      z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.union([z.string(), z.array(ContentPart)]) }),
    )
    .min(1),
  max_tokens: z.number().int().min(1).max(4096).optional(),
  max_completion_tokens: z.number().int().min(1).max(4096).optional(),
  temperature: z.number().min(0).max(2).optional(),
  n: z.number().int().min(1).max(16).optional(),
  logprobs: z.boolean().optional(),
  top_logprobs: z.number().int().min(0).max(20).optional(),
  stream: z.boolean().optional(),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

/** The request's messages with every image decoded to pixels. */
async function toMessages(req: ChatRequest): Promise<PromptMessage[]> {
  const out: PromptMessage[] = [];
  for (const m of req.messages) {
    if (typeof m.content === 'string') {
      out.push({ role: m.role, content: m.content });
      continue;
    }
    const parts: PromptPart[] = [];
    for (const p of m.content) {
      if (p.type === 'text') parts.push({ type: 'text', text: p.text });
      else parts.push({ type: 'image', images: [await decodeDataUrl(p.image_url.url)] });
    }
    out.push({ role: m.role, content: parts });
  }
  return out;
}

function logprobsOf(lps: TokenLogprob[]) {
  const bytes = (t: string) => [...Buffer.from(t)];
  return {
    content: lps.map((l) => ({
      token: l.token,
      logprob: l.logprob,
      bytes: bytes(l.token),
      top_logprobs: l.top.map((t) => ({ token: t.token, logprob: t.logprob, bytes: bytes(t.token) })),
    })),
    refusal: null,
  };
}

/**
 * POST /v1/chat/completions on the local runtime: text and image parts in order (images
 * as data: URLs), `n` answers (temperature 0: greedy, the same answer n times; above 0:
 * sampled), token log-probabilities with `top_logprobs` alternatives when asked. A bad
 * request is a UsageError, a model this server does not have a NotFoundError: the model
 * server (server/model-server.ts) answers them in HTTP.
 */
export async function chatCompletion(model: LocalModel, body: unknown, signal?: AbortSignal): Promise<object> {
  const parsed = ChatRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`bad request: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const req = parsed.data;
  if (req.stream) throw new UsageError('stream is not supported by this server');
  if (req.model !== undefined && req.model !== model.manifest.name)
    throw new NotFoundError(`no model '${req.model}' here (this server has '${model.manifest.name}')`);
  let messages: PromptMessage[];
  try {
    messages = await toMessages(req);
  } catch (err) {
    if (err instanceof ImageError) throw new UsageError(err.message);
    throw err;
  }
  if (!messages.some((m) => typeof m.content !== 'string' && m.content.some((p) => p.type === 'image')))
    throw new UsageError('a request needs at least one image (this runtime does not take text-only prompts)');
  const n = req.n ?? 1;
  const temperature = req.temperature ?? 1;
  const maxNewTokens = req.max_completion_tokens ?? req.max_tokens ?? 256;
  const prepared = await model.prepare(messages);
  const generated =
    temperature === 0
      ? Array(n).fill((await model.generateTokens(prepared, { samples: 1, maxNewTokens, signal }))[0])
      : await model.generateTokens(prepared, { samples: n, maxNewTokens, temperature, sampleAll: true, signal });
  const choices = [];
  for (const [index, g] of generated.entries()) {
    const lps = req.logprobs ? await model.tokenLogprobs(prepared, g.ids, req.top_logprobs ?? 0) : null;
    choices.push({
      index,
      message: { role: 'assistant', content: g.text, refusal: null },
      finish_reason: g.finish,
      logprobs: lps ? logprobsOf(lps) : null,
    });
  }
  const completion = generated.reduce((a, g) => a + g.ids.length, 0);
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: model.manifest.name,
    choices,
    usage: {
      prompt_tokens: prepared.promptLength,
      completion_tokens: completion,
      total_tokens: prepared.promptLength + completion,
    },
  };
}
