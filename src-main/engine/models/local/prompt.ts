import { RawImage, cat } from '@huggingface/transformers';
import type { PreTrainedTokenizer, Processor, Tensor } from '@huggingface/transformers';
import type { RgbImage } from '../../media/images.js';
import type { TimeEncoding } from '../families.js';

/** A frame for the model: its time in the recording and its RGB24 pixels at the planned size. */
export interface PromptFrame extends RgbImage {
  t: number;
}

/**
 * One piece of a message, in order. An image part holds one picture, or two frames of one
 * size that Qwen2-VL fuses into one temporal patch, the way it pairs video frames (half
 * the visual tokens of two separate images).
 */
export type PromptPart = { type: 'text'; text: string } | { type: 'image'; images: RgbImage[] };

export interface PromptMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | PromptPart[];
}

/** Model inputs of one call: the vision fields are there whenever images are. */
export interface PromptInputs {
  input_ids: Tensor;
  attention_mask: Tensor;
  pixel_values: Tensor;
  image_grid_thw: Tensor;
}

/** What the processor made of one image part. */
interface ProcessedImage {
  pixel_values: Tensor;
  image_grid_thw: Tensor;
}

const IMAGE_PAD = '<|image_pad|>';
/** Where one image part's block ends and the next one's starts, with nothing between them. */
const BLOCK_JOIN = `${IMAGE_PAD}<|vision_end|><|vision_start|>${IMAGE_PAD}`;

/** The label of an image part: one time, or both times of a pair (`<12.5s,13.0s>`). */
export function partLabel(times: readonly number[]): string {
  return `<${times.map((t) => `${t.toFixed(1)}s`).join(',')}>`;
}

/** Qwen3-VL's timestamp of a temporal patch: the mean time of its frames, `<12.5 seconds>`. */
function secondsLabel(times: readonly number[]): string {
  return `<${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(1)} seconds>`;
}

/**
 * The user message of a grounding question, each group of frames given its time the way
 * the family reads time (families.ts): after a `<12.5s>` label, after a `<12.5 seconds>`
 * timestamp, or (rope-time) with no text, the times going into the rotary positions; then
 * the instruction.
 */
export function framesMessage(
  groups: readonly (readonly PromptFrame[])[],
  instruction: string,
  time: TimeEncoding = 'labels',
): PromptMessage {
  const content: PromptPart[] = groups.flatMap((g) => {
    const image = { type: 'image' as const, images: [...g] };
    if (time === 'rope-time') return [image];
    const times = g.map((f) => f.t);
    return [{ type: 'text' as const, text: time === 'labels' ? partLabel(times) : secondsLabel(times) }, image];
  });
  return { role: 'user', content: [...content, { type: 'text', text: instruction }] };
}

export function imageParts(messages: readonly PromptMessage[]): RgbImage[][] {
  return messages.flatMap((m) =>
    typeof m.content === 'string' ? [] : m.content.flatMap((p) => (p.type === 'image' ? [p.images] : [])),
  );
}

/** Runs the image processor over one image part (one picture, or a same-size pair). */
async function processImagePart(processor: Processor, images: readonly RgbImage[]): Promise<ProcessedImage> {
  const imageProcessor = processor.image_processor;
  if (!imageProcessor) throw new Error('the model has no image processor (preprocessor_config.json)');
  if (images.length < 1 || images.length > 2)
    throw new Error(`an image part holds 1 or 2 pictures, not ${images.length}`);
  const [a, b] = images as [RgbImage, RgbImage | undefined];
  if (b && (b.width !== a.width || b.height !== a.height))
    throw new Error(`paired frames differ in size (${a.width}x${a.height} and ${b.width}x${b.height})`);
  const raw = images.map(
    (f) =>
      new RawImage(new Uint8ClampedArray(f.data.buffer, f.data.byteOffset, f.data.byteLength), f.width, f.height, 3),
  );
  return (await imageProcessor(raw.length === 1 ? raw[0] : raw)) as ProcessedImage;
}

/** Visual tokens of an image part from its grid: t*h*w / merge_size^2. */
export function gridTokens(grid: readonly number[], mergeSize: number): number {
  const [t = 0, h = 0, w = 0] = grid;
  return (t * h * w) / mergeSize ** 2;
}

export function mergeSizeOf(processor: Processor): number {
  return Number((processor.image_processor?.config as { merge_size?: number } | undefined)?.merge_size ?? 2);
}

/** Values per patch row of pixel_values: 3 x temporal_patch_size x patch_size^2 (1176 for 14 px patches, 1536 for 16). */
function patchDimOf(processor: Processor): number {
  const c = (processor.image_processor?.config ?? {}) as { patch_size?: number; temporal_patch_size?: number };
  return 3 * (c.temporal_patch_size ?? 2) * (c.patch_size ?? 14) ** 2;
}

/** Each image part through the image processor, except those whose grid `known` gives; every part's grid. */
async function processParts(
  processor: Processor,
  parts: readonly RgbImage[][],
  known: readonly (readonly number[] | undefined)[],
): Promise<{ processed: ProcessedImage[]; grids: number[][] }> {
  const processed: ProcessedImage[] = [];
  const grids: number[][] = [];
  for (const [i, images] of parts.entries()) {
    const grid = known[i];
    if (grid) {
      grids.push([...grid]);
      continue;
    }
    const p = await processImagePart(processor, images);
    processed.push(p);
    grids.push((p.image_grid_thw.tolist()[0] as bigint[]).map(Number));
  }
  return { processed, grids };
}

/** The chat template's text of the messages, one <|image_pad|> per image part (or per block with `oneBlock`). */
function chatText(processor: Processor, messages: readonly PromptMessage[], oneBlock: boolean): string {
  const chat = messages.map((m) => ({
    role: m.role,
    content:
      typeof m.content === 'string'
        ? m.content
        : m.content.map((p) => (p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image' })),
  }));
  let text = String(processor.apply_chat_template(chat, { add_generation_prompt: true, tokenize: false }));
  // One vision block for image parts with nothing between them: the frames of one video.
  if (oneBlock) while (text.includes(BLOCK_JOIN)) text = text.replaceAll(BLOCK_JOIN, IMAGE_PAD + IMAGE_PAD);
  return text;
}

/**
 * Builds the chat prompt. Each image part goes through the image processor on its own
 * (several images in one call would become frames of ONE image), unless `grids` already
 * gives its grid (its features are known and its pixels are not needed); the processed
 * parts are concatenated on axis 0, and each <|image_pad|> is expanded to
 * t*h*w / merge_size^2 copies here. `oneBlock` joins image parts that follow each other
 * into one <|vision_start|>...<|vision_end|> block, as a video is given.
 */
export async function buildPrompt(
  processor: Processor,
  tokenizer: PreTrainedTokenizer,
  messages: readonly PromptMessage[],
  known: readonly (readonly number[] | undefined)[] = [],
  opts: { oneBlock?: boolean } = {},
): Promise<PromptInputs & { text: string; grids: number[][]; tokensPerImage: number[] }> {
  const parts = imageParts(messages);
  if (parts.length === 0) throw new Error('a prompt needs at least one image');
  const mergeSize = mergeSizeOf(processor);
  const { processed, grids } = await processParts(processor, parts, known);
  const pieces = chatText(processor, messages, opts.oneBlock === true).split(IMAGE_PAD);
  if (pieces.length - 1 !== parts.length) {
    throw new Error(`the chat template made ${pieces.length - 1} image slots for ${parts.length} images`);
  }
  const perImage = grids.map((g) => gridTokens(g, mergeSize));
  const expanded = pieces.reduce((acc, piece, i) => acc + IMAGE_PAD.repeat(perImage[i - 1] ?? 0) + piece);
  const { input_ids, attention_mask } = tokenizer(expanded) as { input_ids: Tensor; attention_mask: Tensor };
  const gridTensor = new (input_ids.constructor as typeof Tensor)(
    'int64',
    BigInt64Array.from(grids.flat().map(BigInt)),
    [grids.length, 3],
  );
  const pixel_values =
    processed.length > 0
      ? cat(
          processed.map((p) => p.pixel_values),
          0,
        )
      : new (input_ids.constructor as typeof Tensor)('float32', new Float32Array(0), [0, patchDimOf(processor)]);
  return {
    text: expanded,
    grids,
    tokensPerImage: perImage,
    input_ids,
    attention_mask,
    pixel_values,
    image_grid_thw: gridTensor,
  };
}
