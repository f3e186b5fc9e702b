import { RawImage, cat } from '@huggingface/transformers';
import type { PreTrainedTokenizer, Processor, Tensor } from '@huggingface/transformers';

/** A frame for the model: its time in the recording and its RGB24 pixels at the planned size. */
export interface PromptFrame {
  t: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/** Model inputs of one call: the vision fields are there whenever frames are. */
export interface PromptInputs {
  input_ids: Tensor;
  attention_mask: Tensor;
  pixel_values: Tensor;
  image_grid_thw: Tensor;
}

const IMAGE_PAD = '<|image_pad|>';

/** The label written right before a frame's visual tokens (ETA: the model reads times). */
export function timeLabel(t: number): string {
  return `<${t.toFixed(1)}s>`;
}

/**
 * Builds the chat prompt with a timestamp before every frame. Each frame goes through the
 * image processor on its own (several images in one call would become frames of ONE image),
 * the results are concatenated on axis 0, and each <|image_pad|> is expanded to
 * t*h*w / merge_size^2 copies here.
 */
export async function buildPrompt(
  processor: Processor,
  tokenizer: PreTrainedTokenizer,
  frames: readonly PromptFrame[],
  instruction: string,
): Promise<PromptInputs & { text: string; tokensPerFrame: number[] }> {
  const imageProcessor = processor.image_processor;
  if (!imageProcessor) throw new Error('the model has no image processor (preprocessor_config.json)');
  if (frames.length === 0) throw new Error('a prompt needs at least one frame');
  const mergeSize = Number((imageProcessor.config as { merge_size?: number }).merge_size ?? 2);
  const processed: { pixel_values: Tensor; image_grid_thw: Tensor }[] = [];
  for (const f of frames) {
    const image = new RawImage(
      new Uint8ClampedArray(f.data.buffer, f.data.byteOffset, f.data.byteLength),
      f.width,
      f.height,
      3,
    );
    processed.push((await imageProcessor(image)) as { pixel_values: Tensor; image_grid_thw: Tensor });
  }
  const content = frames.flatMap((f) => [{ type: 'text', text: timeLabel(f.t) }, { type: 'image' }]);
  const text = String(
    processor.apply_chat_template([{ role: 'user', content: [...content, { type: 'text', text: instruction }] }], {
      add_generation_prompt: true,
      tokenize: false,
    }),
  );
  const pieces = text.split(IMAGE_PAD);
  if (pieces.length - 1 !== frames.length) {
    throw new Error(`the chat template made ${pieces.length - 1} image slots for ${frames.length} frames`);
  }
  const perFrame = processed.map(({ image_grid_thw }) => {
    const [t = 0n, h = 0n, w = 0n] = image_grid_thw.tolist()[0] as bigint[];
    return Number(t * h * w) / mergeSize ** 2;
  });
  const expanded = pieces.reduce((acc, piece, i) => acc + IMAGE_PAD.repeat(perFrame[i - 1] ?? 0) + piece);
  const { input_ids, attention_mask } = tokenizer(expanded) as { input_ids: Tensor; attention_mask: Tensor };
  return {
    text: expanded,
    tokensPerFrame: perFrame,
    input_ids,
    attention_mask,
    pixel_values: cat(
      processed.map((p) => p.pixel_values),
      0,
    ),
    image_grid_thw: cat(
      processed.map((p) => p.image_grid_thw),
      0,
    ),
  };
}
