// conv2dMaxPool, a Conv2d and its 2×2 max pool as one op (src/ops/pool.ts): on native (every ISA,
// 1 and 2 threads) and wasm (1 and 2 threads), whose kernels pool the convolution's grid without
// storing the map (and, for a first layer, take the weight gradient from the pool's gradient without
// storing the map's), its output, argmax and gradients are those of maxPool2d(conv2d(…)) on the same
// backend (then the activation: relu before the pool, as PyTorch; sigmoid and tanh after it), bit for
// bit, on odd map sizes (the last row and column left out), stride, padding, dilation, no bias, relu,
// sigmoid, tanh and none, and NaN, ±Inf and tied inputs; its own backward rule against float64 finite
// differences (on js made to take the fused path); and Sequential's fusion of Conv2d → [ReLU] →
// MaxPool2d(2) against the unfused layers.
import { describe, expect, it } from 'vitest';
import {
  Conv2d, MaxPool2d, ReLU, Sequential, conv2d, conv2dMaxPool, formatGradcheck, fromTyped, getBackend, gradcheck, maxPool2d, setBackend,
  sum, mul, relu, sigmoid, tanh, type Backend, type Tensor,
} from '../../src/index.js';
import type { Activation, Conv2dGeometry } from '../../src/backend/backend.js';
import { isasHere, useIsa, uniform, Generator } from '../backend/native-helpers.js';
import { nativeInfo, setNativeIsa, setNativeThreads, type NativeIsa } from '../../src/backend/native/index.js';
import { setWasmThreads } from '../../src/backend/wasm/index.js';
import { probeNative, probeWasm, probedBackend } from '../backend-probe.js';
import { randomArray, prod } from '../helpers.js';

interface Case {
  x: number[]; w: number[]; bias: boolean;
  options: { stride?: number | [number, number]; padding?: number | [number, number]; dilation?: number; activation?: Activation };
}
const CASES: Case[] = [
  { x: [2, 1, 28, 28], w: [16, 1, 3, 3], bias: true, options: { padding: 1, activation: 'relu' } },  // W2's first layer: even map
  { x: [3, 3, 7, 9], w: [5, 3, 3, 3], bias: true, options: { padding: 1 } },             // odd map 7×9: pooled 3×4
  { x: [2, 2, 11, 13], w: [3, 2, 3, 2], bias: false, options: { stride: [2, 1], padding: [1, 0], dilation: 2, activation: 'relu' } },
  { x: [1, 4, 5, 5], w: [9, 4, 2, 2], bias: true, options: { activation: 'sigmoid' } },  // map 4×4, 9 channels
  { x: [4, 16, 14, 14], w: [8, 16, 3, 3], bias: true, options: { padding: 1, activation: 'relu' } },  // W2's second layer
  { x: [1, 1, 2, 3], w: [1, 1, 1, 1], bias: true, options: { activation: 'tanh' } },    // map 2×3: one window
  { x: [2, 2, 9, 7], w: [4, 2, 3, 3], bias: true, options: { padding: 1 } },             // odd map, no activation
];
const ACTS = { relu, sigmoid, tanh };

/** Inputs of a case on the current backend; with edges, NaN, ±Inf and ties planted in x. */
function inputs(c: Case, seed: number, requiresGrad: boolean, edges = true): Tensor[] {
  const gen = new Generator(seed);
  const x = uniform(gen, prod(c.x));
  if (edges) {
    x[3] = NaN; x[x.length - 2] = Infinity; x[x.length - 7] = -Infinity;
    for (let i = 40; i < Math.min(x.length, 60); i++) x[i] = 0.25;  // equal pixels: the first one must win
  }
  const t = (a: Float32Array, shape: number[]) => fromTyped(a, shape, { requiresGrad });
  return [t(x, c.x), t(uniform(gen, prod(c.w)), c.w), ...(c.bias ? [t(uniform(gen, c.w[0]), [c.w[0]])] : [])];
}

/**
 * y, and the gradients of Σ y·r (r fixed weights, NaN-free) in x (unless `withX` is false: a first layer,
 * whose weight gradient conv2dMaxPoolBackwardWeight takes from the pool's gradient), weight and bias, through `f`.
 */
function run(c: Case, f: (x: Tensor, w: Tensor, b: Tensor | null) => Tensor, edges = true, withX = true): Float32Array[] {
  const [x, w, b] = inputs(c, 5, true, edges);
  if (!withX) x.requiresGrad = false;
  const y = f(x, w, b ?? null);
  const r = fromTyped(Float32Array.from({ length: y.size }, (_, i) => 0.5 + ((i * 7) % 11) / 11), y.shape);
  sum(mul(y, r)).backward();
  return [y, ...(withX ? [x.grad!] : []), w.grad!, ...(b ? [b.grad!] : [])].map((t) => t.dataSync() as Float32Array);
}

function expectSameBits(got: Float32Array[], want: Float32Array[], what: string): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, k) => {
    expect(g.length, `${what} output ${k}`).toBe(want[k].length);
    for (let i = 0; i < g.length; i++) {
      if (!Object.is(g[i], want[k][i])) throw new Error(`${what}: output ${k} [${i}] is ${g[i]}, the two ops give ${want[k][i]}`);
    }
  });
}

const fused = (c: Case) => (x: Tensor, w: Tensor, b: Tensor | null) => conv2dMaxPool(x, w, b, c.options);
// PyTorch's order for relu (Conv2d → ReLU → MaxPool2d); the activation after the pool for the others
const apart = (c: Case) => (x: Tensor, w: Tensor, b: Tensor | null) => {
  const act = c.options.activation ?? 'none';
  if (act === 'relu') return maxPool2d(conv2d(x, w, b, c.options), { kernelSize: 2 });
  const pooled = maxPool2d(conv2d(x, w, b, { ...c.options, activation: 'none' }), { kernelSize: 2 });
  return act === 'none' ? pooled : ACTS[act](pooled);
};

/** Counts the backend's calls of a fused kernel during `fn`, so a test knows it ran. */
function countFused(b: Backend, fn: () => void, kernel: 'conv2dMaxPool' | 'conv2dMaxPoolBackwardWeight' = 'conv2dMaxPool'): number {
  const own = b[kernel] as (...args: unknown[]) => void;
  let calls = 0;
  b[kernel] = ((...args: unknown[]) => { calls++; own.apply(b, args); }) as never;
  try { fn(); } finally { b[kernel] = own as never; }
  return calls;
}

/** On the current backend: the op against the two ops, with x's gradient and without (the pool's gradient straight into the weights'). */
function expectFusedAsApart(b: Backend, what: string): void {
  for (const c of CASES) {
    let got: Float32Array[] = [];
    expect(countFused(b, () => { got = run(c, fused(c)); }), `${what}, x ${c.x} w ${c.w}`).toBe(1);
    expectSameBits(got, run(c, apart(c)), `${what}, x ${c.x} w ${c.w}`);
    expect(countFused(b, () => { got = run(c, fused(c), true, false); }, 'conv2dMaxPoolBackwardWeight'), `${what} without x's gradient, x ${c.x}`).toBe(1);
    expectSameBits(got, run(c, apart(c), true, false), `${what} without x's gradient, x ${c.x} w ${c.w}`);
  }
}

const nativeProbe = probeNative(), wasmProbe = probeWasm();

describe.skipIf(nativeProbe.skip)('conv2dMaxPool on native: the two ops in one kernel pass', () => {
  it('values, argmax and gradients (with x\'s and without) equal maxPool2d(conv2d(…)) bit for bit, every ISA, 1 and 2 threads', () => {
    probedBackend(nativeProbe, 'native');
    setBackend('native');
    const before = nativeInfo();
    try {
      for (const isa of isasHere()) {
        for (const threads of [1, 2]) {
          useIsa(isa, threads);
          expectFusedAsApart(getBackend('native'), `native ${isa} ${threads} thread(s)`);
        }
      }
    } finally {
      setNativeIsa(before.isa as NativeIsa);
      setNativeThreads(before.threads);
      setBackend('js');
    }
  });

  it('agrees with js (which runs the two ops) within float32 rounding on data without ties', () => {
    setBackend('native');
    try {
      for (const c of CASES) {
        const got = run(c, fused(c), false);
        setBackend('js');
        const want = run(c, fused(c), false);
        setBackend('native');
        // sums of up to c·kh·kw + 1 products (the gradients: over the images' pixels too) in another order
        got.forEach((g, k) => g.forEach((v, i) => expect(Math.abs(v - want[k][i]), `x ${c.x} output ${k} [${i}]`).toBeLessThanOrEqual(2e-5 * (1 + Math.abs(want[k][i])) * prod(c.x.slice(1)) ** 0.5)));
      }
    } finally {
      setBackend('js');
    }
  });
});

describe.skipIf(wasmProbe.skip)('conv2dMaxPool on wasm', () => {
  it('values, argmax and gradients (with x\'s and without) equal maxPool2d(conv2d(…)) bit for bit, 1 and 2 threads', async () => {
    probedBackend(wasmProbe, 'wasm');
    setBackend('wasm');
    try {
      for (const threads of [1, 2]) {
        await setWasmThreads(threads);
        expectFusedAsApart(getBackend('wasm'), `wasm ${threads} thread(s)`);
      }
    } finally {
      await setWasmThreads(1);
      setBackend('js');
    }
  });
});

describe('conv2dMaxPool: the op', () => {
  // js as the fused path takes it (conv2d into a scratch map, then the pool), so that the op's own
  // node and backward rule run in float64 under gradcheck.
  const js = getBackend('js');
  const dtypeOf = (a: unknown) => (a instanceof Float64Array ? 'float64' : 'float32') as 'float64' | 'float32';
  const poolOf = (g: Conv2dGeometry, cout: number): Conv2dGeometry =>
    ({ n: g.n, c: cout, h: g.oh, w: g.ow, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, oh: Math.floor(g.oh / 2), ow: Math.floor(g.ow / 2) });
  let weightCalls = 0;
  const fusedJs: Backend = {
    ...js,
    conv2dMaxPool(x, weight, bias, y, argmax, g, cout, act = 'none') {
      const map = js.alloc(dtypeOf(x), g.n * cout * g.oh * g.ow);
      js.conv2d(x, weight, bias, map, g, cout);
      js.maxPool2d(map, y, argmax, poolOf(g, cout));
      if (act !== 'none') js.unary(act, y, y, (y as Float64Array).length, {});
    },
    conv2dMaxPoolBackwardWeight(x, gy, argmax, gw, gbias, g, cout, y, act = 'none') {
      weightCalls++;
      const map = js.alloc(dtypeOf(x), g.n * cout * g.oh * g.ow), pool = poolOf(g, cout);
      let g1 = gy;
      if (act !== 'none') { g1 = js.alloc(dtypeOf(x), (gy as Float64Array).length); js.activationGrad(act, y!, gy, g1, (gy as Float64Array).length); }
      js.maxPool2dBackward(g1, argmax, map, pool);
      js.conv2dBackwardWeight(x, map, gw, gbias, g, cout);
    },
  };

  it('its backward rule against float64 finite differences: odd maps, stride, dilation, no bias', () => {
    const gen = new Generator(21);
    const input = (shape: number[]) => fromTyped(Float64Array.from(randomArray(gen, prod(shape), -1, 1)), shape, { backend: fusedJs, requiresGrad: true });
    for (const c of CASES.filter((k) => prod(k.x) < 2000)) {
      for (const withX of [true, false]) {
        // without x's gradient the weights' comes from the pool's gradient (conv2dMaxPoolBackwardWeight)
        const xs = [input(c.x), input(c.w), ...(c.bias ? [input([c.w[0]])] : [])];
        xs[0].requiresGrad = withX;
        const before = weightCalls;
        const report = gradcheck((x, w, b) => conv2dMaxPool(x, w, b ?? null, c.options), xs, { backend: fusedJs });
        expect(report.ok, `x ${c.x} w ${c.w}${withX ? '' : ' (no x gradient)'}\n${formatGradcheck(report)}`).toBe(true);
        expect(weightCalls > before, `x ${c.x}: the weights' gradient from the pool's ${withX ? 'not ' : ''}taken`).toBe(!withX);
      }
    }
  });

  it('names the op and the sizes when the map is smaller than the pool', () => {
    const x = fromTyped(new Float32Array(2 * 3), [1, 1, 2, 3]), w = fromTyped(new Float32Array(4), [1, 1, 2, 2]);
    expect(() => conv2dMaxPool(x, w)).toThrow(/conv2dMaxPool: input \[1, 1, 2, 3\] is too small for kernel 2×2 .* output would be 1×2, under the pool's 2×2/);
  });
});

describe.skipIf(nativeProbe.skip)('Sequential runs Conv2d → [ReLU] → MaxPool2d(2) as conv2dMaxPool', () => {
  it('the same output and gradients as the layers one by one, with one fused call per such pair', () => {
    probedBackend(nativeProbe, 'native');
    setBackend('native');
    try {
      const gen = new Generator(9);
      const model = new Sequential(new Conv2d(1, 4, 3, { padding: 1, generator: gen }), new ReLU(), new MaxPool2d(2),
        new Conv2d(4, 3, 3, { padding: 1, generator: gen }), new MaxPool2d(2), new Conv2d(3, 2, 1, { generator: gen }), new MaxPool2d(3));
      const x = fromTyped(uniform(gen, 2 * 1 * 17 * 15), [2, 1, 17, 15]);
      const pass = (fuse: boolean): Float32Array[] => {
        model.fuse = fuse;
        for (const p of model.parameters()) p.zeroGrad();
        const y = model.forward(x);
        sum(mul(y, y)).backward();
        return [y, ...model.parameters().map((p) => p.grad!)].map((t) => t.dataSync() as Float32Array);
      };
      let fusedRun: Float32Array[] = [];
      // two fused pairs; MaxPool2d(3) is no 2×2 pool and stays apart; the first layer's weight gradient from its pool's
      expect(countFused(getBackend('native'), () => { fusedRun = pass(true); })).toBe(2);
      expect(countFused(getBackend('native'), () => { pass(true); }, 'conv2dMaxPoolBackwardWeight')).toBe(1);
      expect(countFused(getBackend('native'), () => { pass(false); })).toBe(0);
      expectSameBits(fusedRun, pass(false), 'Sequential fused against unfused');
    } finally {
      setBackend('js');
    }
  });
});
