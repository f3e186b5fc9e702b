import fs from 'node:fs';
import path from 'node:path';

/**
 * What an installer needs to know of an ONNX file without loading it: its graph's input
 * names and the external-data entries of its tensors. The file is read through a small
 * window and the bytes of inline weights are skipped, so a 2 GB graph costs a few reads.
 *
 * Field numbers from onnx.proto: ModelProto.graph = 7; GraphProto.node = 1,
 * initializer = 5, input = 11, sparse_initializer = 15; NodeProto.attribute = 5;
 * AttributeProto.t = 5, g = 6, tensors = 10, graphs = 11; TensorProto.dims = 1,
 * data_type = 2, name = 8, external_data = 13, data_location = 14;
 * StringStringEntryProto key = 1, value = 2; SparseTensorProto values = 1, indices = 2.
 */

/** One tensor stored outside the graph file, as onnxruntime resolves it. */
export interface ExternalTensor {
  tensor: string;
  /** The `location` string, relative to the graph's folder. */
  location: string;
  offset: number;
  /** Bytes the tensor takes in the data file (its `length`, else from its shape and type). */
  length: number;
}

export interface OnnxGraphInfo {
  inputs: string[];
  external: ExternalTensor[];
}

export class OnnxReadError extends Error {
  override name = 'OnnxReadError';
}

/** Bits per element of each TensorProto.DataType (0 where unknown). */
const BITS: Record<number, number> = {
  1: 32,
  2: 8,
  3: 8,
  4: 16,
  5: 16,
  6: 32,
  7: 64,
  9: 8,
  10: 16,
  11: 64,
  12: 32,
  13: 64,
  14: 64,
  15: 128,
  16: 16,
  17: 8,
  18: 8,
  19: 8,
  20: 8,
  21: 4,
  22: 4,
  23: 4,
  24: 8,
  25: 2,
  26: 2,
};

/** Reads varints and skips bytes of a file at any position through one cached window. */
class FileCursor {
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  private byteAt(pos: number): number {
    if (pos >= this.size) throw new OnnxReadError('truncated protobuf');
    if (pos < this.windowStart || pos >= this.windowStart + this.window.length) {
      const len = Math.min(16 * 1024, this.size - pos);
      const buf = Buffer.alloc(len);
      fs.readSync(this.fd, buf, 0, len, pos);
      this.window = buf;
      this.windowStart = pos;
    }
    return this.window[pos - this.windowStart] as number;
  }

  /** A varint at `pos`: its value (exact up to 2^53) and the position after it. */
  varint(pos: number): [number, number] {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byteAt(pos + i);
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return [value, pos + i + 1];
    }
    throw new OnnxReadError('bad varint');
  }

  bytes(pos: number, len: number): Buffer {
    if (pos + len > this.size) throw new OnnxReadError('truncated protobuf');
    const buf = Buffer.alloc(len);
    fs.readSync(this.fd, buf, 0, len, pos);
    return buf;
  }
}

interface Field {
  field: number;
  wire: number;
  /** Varint value, or the length of a length-delimited field. */
  value: number;
  /** Where a length-delimited field's bytes start. */
  start: number;
}

/** The fields of the message between `start` and `end`, in order; length-delimited bodies are not read. */
function* fields(c: FileCursor, start: number, end: number): Generator<Field> {
  let pos = start;
  while (pos < end) {
    const [tag, afterTag] = c.varint(pos);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const [value, next] = c.varint(afterTag);
      yield { field, wire, value, start: afterTag };
      pos = next;
    } else if (wire === 2) {
      const [len, bodyStart] = c.varint(afterTag);
      yield { field, wire, value: len, start: bodyStart };
      pos = bodyStart + len;
    } else if (wire === 1) pos = afterTag + 8;
    else if (wire === 5) pos = afterTag + 4;
    else throw new OnnxReadError(`unsupported protobuf wire type ${wire}`);
    if (pos > end) throw new OnnxReadError('truncated protobuf');
  }
}

function text(c: FileCursor, f: Field): string {
  return c.bytes(f.start, f.value).toString('utf8');
}

function readTensor(c: FileCursor, start: number, end: number, out: ExternalTensor[]): void {
  let name = '';
  let type = 0;
  let external = false;
  const dims: number[] = [];
  const entries = new Map<string, string>();
  for (const f of fields(c, start, end)) {
    if (f.field === 1 && f.wire === 0) dims.push(f.value);
    else if (f.field === 1 && f.wire === 2) {
      for (let p = f.start; p < f.start + f.value;) {
        const [d, next] = c.varint(p);
        dims.push(d);
        p = next;
      }
    } else if (f.field === 2 && f.wire === 0) type = f.value;
    else if (f.field === 8 && f.wire === 2) name = text(c, f);
    else if (f.field === 14 && f.wire === 0) external = f.value === 1;
    else if (f.field === 13 && f.wire === 2) {
      let key = '';
      let value = '';
      for (const e of fields(c, f.start, f.start + f.value)) {
        if (e.field === 1 && e.wire === 2) key = text(c, e);
        else if (e.field === 2 && e.wire === 2) value = text(c, e);
      }
      entries.set(key, value);
    }
  }
  if (!external) return;
  const count = dims.reduce((a, b) => a * b, 1);
  const length = entries.has('length') ? Number(entries.get('length')) : Math.ceil((count * (BITS[type] ?? 0)) / 8);
  out.push({
    tensor: name,
    location: entries.get('location') ?? '',
    offset: Number(entries.get('offset') ?? 0),
    length,
  });
}

function readGraph(c: FileCursor, start: number, end: number, info: OnnxGraphInfo, top: boolean): void {
  for (const f of fields(c, start, end)) {
    if (f.wire !== 2) continue;
    const bodyEnd = f.start + f.value;
    if (f.field === 5) readTensor(c, f.start, bodyEnd, info.external);
    else if (f.field === 15) {
      for (const s of fields(c, f.start, bodyEnd)) {
        if (s.wire === 2 && (s.field === 1 || s.field === 2)) readTensor(c, s.start, s.start + s.value, info.external);
      }
    } else if (f.field === 11 && top) {
      for (const v of fields(c, f.start, bodyEnd)) if (v.field === 1 && v.wire === 2) info.inputs.push(text(c, v));
    } else if (f.field === 1) {
      for (const a of fields(c, f.start, bodyEnd)) {
        if (a.field !== 5 || a.wire !== 2) continue;
        for (const v of fields(c, a.start, a.start + a.value)) {
          if (v.wire !== 2) continue;
          if (v.field === 5 || v.field === 10) readTensor(c, v.start, v.start + v.value, info.external);
          else if (v.field === 6 || v.field === 11) readGraph(c, v.start, v.start + v.value, info, false);
        }
      }
    }
  }
}

/** Graphs already read, by path, size and time: the model list checks every graph each time it is shown. */
const known = new Map<string, OnnxGraphInfo>();

/** Reads a graph file's input names and external-data entries (nested graphs included). */
export function readOnnxGraph(file: string): OnnxGraphInfo {
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    const key = `${path.resolve(file)}\u0000${st.size}\u0000${st.mtimeMs}`;
    const hit = known.get(key);
    if (hit) return hit;
    const c = new FileCursor(fd, st.size);
    const info: OnnxGraphInfo = { inputs: [], external: [] };
    let graphs = 0;
    for (const f of fields(c, 0, c.size)) {
      if (f.field === 7 && f.wire === 2) {
        readGraph(c, f.start, f.start + f.value, info, true);
        graphs++;
      }
    }
    if (graphs === 0) throw new OnnxReadError('no graph in the file');
    if (known.size >= 64) known.delete(known.keys().next().value as string);
    known.set(key, info);
    return info;
  } finally {
    fs.closeSync(fd);
  }
}

/** The data files a graph's external entries need, by location, with the bytes each must hold at least. */
function externalDataNeeds(info: OnnxGraphInfo): Map<string, number> {
  const needs = new Map<string, number>();
  for (const e of info.external) needs.set(e.location, Math.max(needs.get(e.location) ?? 0, e.offset + e.length));
  return needs;
}

/**
 * Problems with a graph's external data, one line each, naming the file: a location that
 * leaves the graph's folder, a data file that is missing, or one too short for its tensors.
 */
export function externalDataProblems(graphFile: string, info: OnnxGraphInfo, label = graphFile): string[] {
  const dir = path.dirname(graphFile);
  const problems: string[] = [];
  for (const [location, bytes] of externalDataNeeds(info)) {
    const rel = path.posix.join(path.posix.dirname(label), location);
    if (!location || path.isAbsolute(location) || location.split(/[\\/]/).includes('..')) {
      problems.push(`${label}: external data location '${location}' is outside the model folder`);
      continue;
    }
    const st = fs.statSync(path.join(dir, location), { throwIfNoEntry: false });
    if (!st) problems.push(`missing ${rel} (external data of ${label})`);
    else if (st.size < bytes) problems.push(`${rel} is too short: ${st.size} bytes, ${label} needs ${bytes}`);
  }
  return problems;
}
