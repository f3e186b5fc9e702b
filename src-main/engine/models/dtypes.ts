import path from 'node:path';
import type { Device } from './devices.js';
import { InstallError } from './errors.js';
import { Dtype, graphPath, MANIFEST_FILE, SessionName } from './manifest.js';

/**
 * Which dtype each session of a transformers.js ONNX export gets, from the graphs present
 * and the device, and which files of a folder or repo those dtypes need.
 */

/** Root files an install keeps: configs, tokenizer, chat templates, the model card (weights in other formats stay behind). */
const ROOT_FILE = /\.(json|txt|jinja|model|md)$/i;

/** Whether an install keeps this root file (a relative path without a folder; the manifest is written anew). */
export function isKeptRootFile(rel: string): boolean {
  return !rel.includes('/') && ROOT_FILE.test(rel) && rel !== MANIFEST_FILE;
}

/**
 * Dtype preference per device, first present wins, per session. On cpu, 8-bit first
 * (onnxruntime's integer kernels: a quarter of fp32's memory, little accuracy lost), then
 * 4-bit, then fp32; half-precision forms last (no fast fp16 kernels on a CPU). On a GPU,
 * half precision first.
 */
const DTYPE_ORDER: Readonly<Record<'cpu' | 'gpu', readonly Dtype[]>> = {
  cpu: ['q8', 'int8', 'uint8', 'q4', 'fp32', 'bnb4', 'fp16', 'q4f16', 'q2', 'q2f16', 'q1', 'q1f16'],
  gpu: ['q4f16', 'fp16', 'q4', 'fp32', 'q8', 'int8', 'uint8', 'bnb4', 'q2f16', 'q2', 'q1f16', 'q1'],
};

/** Which dtypes each session has graphs for, from the relative file paths of a folder or repo. */
export function presentDtypes(files: readonly string[]): Record<SessionName, Dtype[]> {
  const have = new Set(files.map((f) => f.split(path.sep).join('/')));
  return Object.fromEntries(
    SessionName.options.map((s) => [s, Dtype.options.filter((d) => have.has(graphPath(s, d)))]),
  ) as Record<SessionName, Dtype[]>;
}

/** The dtype of each session: `wanted` for all where given, else the device's first preference present. */
export function chooseDtypes(
  present: Record<SessionName, Dtype[]>,
  device: Device,
  wanted?: Dtype,
): Record<SessionName, Dtype> {
  const order = DTYPE_ORDER[device === 'cpu' ? 'cpu' : 'gpu'];
  const out = {} as Record<SessionName, Dtype>;
  for (const s of SessionName.options) {
    const have = present[s];
    if (have.length === 0) {
      throw new InstallError(
        s === 'vision_encoder'
          ? `onnx/: no ${s} graph (not a vision-language export: a text-only model?)`
          : `onnx/: no ${s} graph`,
      );
    }
    if (wanted && !have.includes(wanted))
      throw new InstallError(`missing ${graphPath(s, wanted)} for {dtype} ${wanted} (present: ${have.join(', ')})`);
    out[s] = wanted ?? (order.find((d) => have.includes(d)) as Dtype);
  }
  return out;
}

/** External data files onnx writes beside a graph: `{graph}_data`, then `{graph}_data_1`... */
function isDataFileOf(graph: string, file: string): boolean {
  return (
    file === `${graph}_data` || new RegExp(`^${graph.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_data_\\d+$`).test(file)
  );
}

/** The files of a repo (relative paths) that a model of these dtypes needs: root configs, graphs, their data. */
export function neededRepoFiles(files: readonly string[], dtypes: Record<SessionName, Dtype>): string[] {
  const graphs = SessionName.options.map((s) => graphPath(s, dtypes[s]));
  return files.filter((f) => isKeptRootFile(f) || graphs.includes(f) || graphs.some((g) => isDataFileOf(g, f)));
}
