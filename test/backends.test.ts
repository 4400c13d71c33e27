// Every op on every backend against the `js` reference, forward and backward, on random shapes
// with odd sizes, size-1 axes and broadcasting (ggml's test-backend-ops, in spirit).
import { describe, expect, it } from 'vitest';
import {
  tensor, getBackend, Generator, where, concat, matmul, linear,
  conv2d, convTranspose2d, maxPool2d, avgPool2d, upsampleNearest2d, logSumExp, type Backend, type Tensor,
} from '../src/index.js';
import { setWasmThreads, wasmInfo } from '../src/backend/wasm/index.js';
import { probeNative, probeWasm, probeWebGPU, probedBackend } from './backend-probe.js';
import { prod, randomArray } from './helpers.js';

interface OpCase {
  name: string;
  shapes: number[][];
  fn: (...xs: Tensor[]) => Tensor;
  /** Input range: positive for log/sqrt/pow bases. */
  range?: [number, number];
  /** Looser tolerance for long reductions (float32 summation order differs between backends). */
  tol?: number;
}

const unary = (name: string, f: (x: Tensor) => Tensor, range?: [number, number]): OpCase[] =>
  [[1], [7], [3, 1, 5], [33, 17]].map((s) => ({ name: `${name} ${JSON.stringify(s)}`, shapes: [s], fn: f, range }));
const binary = (name: string, f: (a: Tensor, b: Tensor) => Tensor, range?: [number, number]): OpCase[] =>
  ([[[5, 3], [5, 3]], [[5, 3], [3]], [[4, 1, 3], [2, 1]], [[1], [6, 2]], [[17, 1], [1, 9]]] as number[][][])
    .map(([a, b]) => ({ name: `${name} ${JSON.stringify(a)}·${JSON.stringify(b)}`, shapes: [a, b], fn: f, range }));

const cases: OpCase[] = [
  ...unary('neg', (x) => x.neg()), ...unary('abs', (x) => x.abs()), ...unary('exp', (x) => x.exp()),
  ...unary('log', (x) => x.log(), [0.1, 3]), ...unary('sqrt', (x) => x.sqrt(), [0.1, 3]), ...unary('square', (x) => x.square()),
  ...unary('reciprocal', (x) => x.reciprocal(), [0.2, 3]), ...unary('sin', (x) => x.sin()), ...unary('cos', (x) => x.cos()),
  ...unary('relu', (x) => x.relu()), ...unary('leakyRelu', (x) => x.leakyRelu(0.2)), ...unary('elu', (x) => x.elu(0.8)),
  ...unary('selu', (x) => x.selu()), ...unary('gelu', (x) => x.gelu()), ...unary('sigmoid', (x) => x.sigmoid(), [-8, 8]),
  ...unary('tanh', (x) => x.tanh(), [-4, 4]), ...unary('softplus', (x) => x.softplus(), [-8, 8]), ...unary('clamp', (x) => x.clamp(-0.3, 0.4)),
  ...unary('affine', (x) => x.mul(-1.5).add(0.25)), ...unary('powScalar', (x) => x.pow(1.7), [0.1, 2]),
  ...binary('add', (a, b) => a.add(b)), ...binary('sub', (a, b) => a.sub(b)), ...binary('mul', (a, b) => a.mul(b)),
  ...binary('div', (a, b) => a.div(b), [0.5, 2]), ...binary('pow', (a, b) => a.pow(b), [0.5, 2]),
  ...binary('maximum', (a, b) => a.maximum(b)), ...binary('minimum', (a, b) => a.minimum(b)),
  ...binary('where', (a, b) => where(a.gt(0), a, b)),
  { name: 'sum all', shapes: [[37, 29]], fn: (x) => x.sum(), tol: 1e-4 },
  { name: 'sum axis 0 keepDims', shapes: [[37, 5, 3]], fn: (x) => x.sum(0, true) },
  { name: 'sum axes 0,2', shapes: [[4, 5, 6]], fn: (x) => x.sum([0, 2]) },
  { name: 'mean axis 1', shapes: [[3, 300, 2]], fn: (x) => x.mean(1), tol: 1e-4 },
  { name: 'max axis 1', shapes: [[6, 9, 4]], fn: (x) => x.max(1) },
  { name: 'min all', shapes: [[5, 7]], fn: (x) => x.min() },
  { name: 'softmax last', shapes: [[5, 11]], fn: (x) => x.softmax(-1), range: [-5, 5] },
  { name: 'softmax axis 0', shapes: [[7, 3, 2]], fn: (x) => x.softmax(0), range: [-5, 5] },
  { name: 'logSoftmax', shapes: [[4, 10]], fn: (x) => x.logSoftmax(1), range: [-5, 5] },
  { name: 'logSumExp', shapes: [[3, 8]], fn: (x) => logSumExp(x, 1), range: [-5, 5] },
  { name: 'permute', shapes: [[2, 3, 5]], fn: (x) => x.permute([2, 0, 1]) },
  { name: 'transpose', shapes: [[17, 33]], fn: (x) => x.T },
  { name: 'expand', shapes: [[3, 1]], fn: (x) => x.expand([2, 3, 4]) },
  { name: 'slice', shapes: [[5, 6, 7]], fn: (x) => x.slice([1, 0, 2], [4, 6, 7]) },
  { name: 'concat', shapes: [[2, 3], [2, 5]], fn: (a, b) => concat([a, b], 1) },
  { name: 'matmul 1x1x1', shapes: [[1, 1], [1, 1]], fn: matmul },
  { name: 'matmul odd', shapes: [[17, 33], [33, 9]], fn: matmul, tol: 1e-4 },
  { name: 'matmul batched broadcast', shapes: [[3, 1, 5, 7], [2, 7, 4]], fn: matmul, tol: 1e-4 },
  { name: 'matmul vector', shapes: [[13], [13, 6]], fn: matmul },
  { name: 'matmul big', shapes: [[65, 130], [130, 70]], fn: matmul, tol: 2e-4 },
  { name: 'linear relu', shapes: [[9, 13], [7, 13], [7]], fn: (x, w, b) => linear(x, w, b, 'relu') },
  { name: 'linear sigmoid', shapes: [[9, 13], [7, 13], [7]], fn: (x, w, b) => linear(x, w, b, 'sigmoid') },
  { name: 'linear tanh', shapes: [[1, 5], [3, 5], [3]], fn: (x, w, b) => linear(x, w, b, 'tanh') },
  { name: 'conv2d s2 p1', shapes: [[2, 3, 9, 8], [4, 3, 3, 3], [4]], fn: (x, w, b) => conv2d(x, w, b, { stride: 2, padding: 1 }), tol: 1e-4 },
  { name: 'conv2d dilated', shapes: [[1, 2, 7, 7], [3, 2, 2, 2]], fn: (x, w) => conv2d(x, w, null, { dilation: 2 }) },
  { name: 'convTranspose2d', shapes: [[2, 4, 4, 4], [4, 3, 3, 3], [3]], fn: (x, w, b) => convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), tol: 1e-4 },
  { name: 'maxPool2d', shapes: [[2, 3, 6, 6]], fn: (x) => maxPool2d(x, { kernelSize: 2 }) },
  { name: 'avgPool2d', shapes: [[1, 2, 5, 7]], fn: (x) => avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }) },
  { name: 'upsample', shapes: [[1, 2, 3, 4]], fn: (x) => upsampleNearest2d(x, 2) },
];

const gen = new Generator(99);

/** Runs a case on a backend: output and input gradients for a fixed upstream gradient. */
async function runCase(c: OpCase, backend: Backend, values: number[][], upstream: number[] | null): Promise<{ out: Float32Array; shape: readonly number[]; grads: Float32Array[] }> {
  const xs = c.shapes.map((s, i) => tensor(values[i], s, { backend, requiresGrad: true }));
  const y = c.fn(...xs);
  const g = tensor(upstream ?? new Array(y.size).fill(1), y.shape, { backend });
  y.backward(g);
  const out = (await y.data()) as Float32Array;
  const grads = await Promise.all(xs.map(async (x) => (await x.grad!.data()) as Float32Array));
  return { out, shape: y.shape, grads };
}

function compare(what: string, actual: Float32Array, expected: Float32Array, tol: number): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0, at = -1;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(err <= worst)) { worst = err; at = i; }
  }
  expect(worst, `${what}: worst error ${worst} at ${at} (got ${actual[at]}, expected ${expected[at]})`).toBeLessThanOrEqual(tol);
}

async function equivalence(backend: Backend): Promise<void> {
  for (const c of cases) {
    const [lo, hi] = c.range ?? [-2, 2];
    const values = c.shapes.map((s) => randomArray(gen, prod(s), lo, hi));
    const ref = await runCase(c, getBackend('js'), values, null);
    const upstream = randomArray(gen, ref.out.length, -1, 1);
    const expected = await runCase(c, getBackend('js'), values, upstream);
    const actual = await runCase(c, backend, values, upstream);
    const tol = c.tol ?? 2e-5;
    expect(actual.shape, c.name).toEqual(expected.shape);
    compare(`${c.name} forward`, actual.out, expected.out, tol);
    actual.grads.forEach((g, i) => compare(`${c.name} d/dinput${i}`, g, expected.grads[i], tol * 5));
  }
}

const native = probeNative();
const wasm = probeWasm();
const webgpu = await probeWebGPU();

describe('backend equivalence', () => {
  // A missing backend skips (with the reason, test/backend-probe.ts) outside CI and fails under it.
  it.skipIf(native.skip)('native matches js on every op, forward and backward', async () => {
    await equivalence(probedBackend(native, 'native'));
  });

  // At one thread and at two (worker threads on the shared memory), whatever the machine's core count.
  it.skipIf(wasm.skip).each([1, 2])('wasm at %i thread(s) matches js on every op, forward and backward', async (threads) => {
    setWasmThreads(threads);
    expect(wasmInfo().threads).toBe(threads);
    await equivalence(probedBackend(wasm, 'wasm'));
  }, 120_000);

  it.skipIf(webgpu.skip)('webgpu matches js on every op, forward and backward', async () => {
    await equivalence(probedBackend(webgpu, 'webgpu'));
  }, 180_000);
});
