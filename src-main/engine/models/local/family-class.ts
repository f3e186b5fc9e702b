import {
  Qwen2_5_VLForConditionalGeneration,
  Qwen2VLForConditionalGeneration,
  Qwen3VLForConditionalGeneration,
} from '@huggingface/transformers';
import type { ModelFamily } from '../families.js';

/** The transformers.js class of each family: its vision input name and config layout are its own. */
const CLASSES = {
  qwen2_vl: Qwen2VLForConditionalGeneration,
  qwen2_5_vl: Qwen2_5_VLForConditionalGeneration,
  qwen3_vl: Qwen3VLForConditionalGeneration,
} as const;

export function familyClass(family: ModelFamily): (typeof CLASSES)[ModelFamily] {
  return CLASSES[family];
}
