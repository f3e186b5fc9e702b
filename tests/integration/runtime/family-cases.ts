/**
 * The tiny model fixture of each family in the layout its published export has (Qwen2-VL,
 * Qwen2.5-VL, Qwen3-VL with external data and q4), made once per test file.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  Qwen2VLForConditionalGeneration,
  Qwen2_5_VLForConditionalGeneration,
  Qwen3VLForConditionalGeneration,
} from '@huggingface/transformers';
import { makeTinyModel, type TinyFamily, type TinyModelOptions } from '../../fixtures/tiny-qwen2vl/generate.js';
import { goOffline } from './qwen2vl-driver.js';

export const ANSWER = '2-5';

export interface Case {
  family: TinyFamily;
  cls:
    | typeof Qwen2VLForConditionalGeneration
    | typeof Qwen2_5_VLForConditionalGeneration
    | typeof Qwen3VLForConditionalGeneration;
  processor: string;
  grid: 'grid_thw' | 'image_grid_thw';
  patchDim: number;
  /** image_grid_thw of one 448x252 frame under the fixture's min/max pixels. */
  grid448x252: [number, number, number];
  opts: TinyModelOptions;
  dtype: 'fp32' | 'q4';
}

export const CASES: Case[] = [
  {
    family: 'qwen2_vl',
    cls: Qwen2VLForConditionalGeneration,
    processor: 'Qwen2VLProcessor',
    grid: 'grid_thw',
    patchDim: 1176,
    grid448x252: [1, 12, 20],
    opts: {},
    dtype: 'fp32',
  },
  {
    family: 'qwen2_5_vl',
    cls: Qwen2_5_VLForConditionalGeneration,
    processor: 'Qwen2_5_VLProcessor',
    grid: 'image_grid_thw',
    patchDim: 1176,
    grid448x252: [1, 12, 20],
    opts: { manifest: false },
    dtype: 'fp32',
  },
  {
    // As onnx-community/Qwen3-VL-2B-Instruct-ONNX: q4 graphs with .onnx_data, an onnxruntime/ folder.
    family: 'qwen3_vl',
    cls: Qwen3VLForConditionalGeneration,
    processor: 'Qwen3VLProcessor',
    grid: 'image_grid_thw',
    patchDim: 1536,
    grid448x252: [1, 4, 8],
    opts: { manifest: false, externalData: true, dtypes: ['fp32', 'q4'], onnxruntimeFolder: true },
    dtype: 'q4',
  },
];

/** The folders of CASES under a new temporary root that transformers.js reads offline, and the fetches it tried. */
export async function makeCaseModels(): Promise<{
  root: string;
  dirs: Map<TinyFamily, string>;
  fetchAttempts: string[];
  remove: () => Promise<void>;
}> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tiny-families-'));
  const fetchAttempts = goOffline(root);
  const dirs = new Map<TinyFamily, string>();
  for (const c of CASES) {
    dirs.set(c.family, await makeTinyModel(path.join(root, c.family), { family: c.family, answer: ANSWER, ...c.opts }));
  }
  return { root, dirs, fetchAttempts, remove: () => rm(root, { recursive: true, force: true }) };
}

export const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
