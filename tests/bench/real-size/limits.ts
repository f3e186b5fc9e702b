// What onnxruntime reaches on this machine for one large MatMul (compute) and for a
// matrix-vector product over a large weight (memory bandwidth: each weight byte read once,
// as a decode step reads the model): the references the model's figures are held against.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../fixtures/tiny-qwen2vl/onnx-builder.js';

export interface MachineLimits {
  /** fp32 GFLOP/s of one [m, k] x [k, n] MatMul. */
  matmulGflops: number;
  /** GB/s of a [1, k] x [k, n] fp32 MatMul over a weight far larger than the caches. */
  gemvGBs: number;
  shapes: { matmul: [number, number, number]; gemv: [number, number] };
}

function uniform(n: number): Float32Array {
  const a = new Float32Array(n);
  let s = 7;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

async function bestMs(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, reps: number) {
  await session.run(feeds);
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await session.run(feeds);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

async function matmulMs(m: number, k: number, n: number, reps: number): Promise<number> {
  const g = new GraphBuilder('limit');
  const x = g.input('x', 'float32', [m, k]);
  g.output('y', g.op('MatMul', [x, g.floats(uniform(k * n), [k, n])]), 'float32', [m, n]);
  const session = await ort.InferenceSession.create(g.toBytes());
  try {
    return await bestMs(session, { x: new ort.Tensor('float32', uniform(m * k), [m, k]) }, reps);
  } finally {
    await session.release();
  }
}

export async function measureLimits(): Promise<MachineLimits> {
  const [m, k, n] = [1024, 4096, 4096];
  const mm = await matmulMs(m, k, n, 5);
  // 8192 x 16384 fp32 = 512 MiB of weight, read once per product.
  const [gk, gn] = [8192, 16384];
  const gemv = await matmulMs(1, gk, gn, 5);
  return {
    matmulGflops: (2 * m * k * n) / mm / 1e6,
    gemvGBs: (gk * gn * 4) / gemv / 1e6,
    shapes: { matmul: [m, k, n], gemv: [gk, gn] },
  };
}
