// activationGradFromOutput (g ⊙ act'(x) from y = act(x), one kernel) and the backward rules
// that use it: validation, values from formulas written from x, gradients by central
// differences in float64, second derivatives through sigmoid, tanh and linear(…, 'sigmoid')
// under createGraph, and one kernel per activation in the backward pass.
import { describe, expect, it } from 'vitest';
import {
  tensor, setBackend, getBackend, gradcheck, formatGradcheck, activationGradFromOutput, linear, relu, sigmoid, tanh,
  Generator, type Tensor,
} from '../../src/index.js';
import type { ActivationGradOp } from '../../src/backend/backend.js';
import { recordKernels } from '../../src/inspect/kernel-recorder.js';
import { prod, randomArray } from '../helpers.js';

setBackend('js');
const gen = new Generator(31337);
const ACTS: ActivationGradOp[] = ['relu', 'sigmoid', 'tanh'];
const f64 = (data: number[], shape: number[], requiresGrad = false): Tensor =>
  tensor(data, shape, { dtype: 'float64', requiresGrad });

describe('activationGradFromOutput', () => {
  it('computes g · act\'(x) from y = act(x), matching act\' written from x', () => {
    const shape = [3, 5];
    const x = randomArray(gen, prod(shape), -3, 3);
    x[0] = 0;   // relu'(0) = 0, as step
    const g = randomArray(gen, prod(shape), -2, 2);
    const d: Record<ActivationGradOp, (v: number) => number> = {
      relu: (v) => (v > 0 ? 1 : 0),
      sigmoid: (v) => Math.exp(-v) / (1 + Math.exp(-v)) ** 2,
      tanh: (v) => 1 / Math.cosh(v) ** 2,
    };
    const act: Record<ActivationGradOp, (v: number) => number> = {
      relu: (v) => Math.max(v, 0), sigmoid: (v) => 1 / (1 + Math.exp(-v)), tanh: Math.tanh,
    };
    for (const a of ACTS) {
      const out = activationGradFromOutput(a, f64(x.map(act[a]), shape), f64(g, shape)).dataSync();
      for (let i = 0; i < x.length; i++) expect(out[i]).toBeCloseTo(g[i] * d[a](x[i]), 12);
    }
  });

  it('rejects mismatched shapes, dtypes and unknown activations, saying what was expected', () => {
    const y = f64([0.1, 0.2, 0.3, 0.4], [2, 2]);
    expect(() => activationGradFromOutput('sigmoid', y, f64([1, 2], [2])))
      .toThrow(/activationGradFromOutput: y \[2, 2\] and g \[2\] differ; expected g to have y's shape/);
    expect(() => activationGradFromOutput('tanh', y, tensor([1, 2, 3, 4], [2, 2])))
      .toThrow(/activationGradFromOutput: dtype mismatch: float64 \[2, 2\] and float32 \[2, 2\]/);
    expect(() => activationGradFromOutput('gelu' as ActivationGradOp, y, y))
      .toThrow(/activationGradFromOutput: unknown activation 'gelu' \(expected 'relu', 'sigmoid' or 'tanh'\)/);
  });

  for (const a of ACTS) {
    it(`gradcheck wrt y and g: ${a}`, () => {
      for (const shape of [[1], [4], [3, 5]]) {
        // y inside each activation's range; for relu away from its kink at 0.
        const yv = a === 'sigmoid' ? randomArray(gen, prod(shape), 0.05, 0.95)
          : a === 'tanh' ? randomArray(gen, prod(shape), -0.95, 0.95)
          : randomArray(gen, prod(shape), -1, 1).map((v) => (Math.abs(v) < 0.1 ? v + 0.2 * Math.sign(v || 1) : v));
        const y = f64(yv, shape, true), g = f64(randomArray(gen, prod(shape), -2, 2), shape, true);
        const report = gradcheck((yy, gg) => activationGradFromOutput(a, yy, gg), [y, g]);
        expect(report.ok, `${a} ${shape}\n${formatGradcheck(report)}`).toBe(true);
        expect(report.inputs.length).toBe(2);
      }
    });
  }
});

describe('second derivatives through the fused backward (createGraph)', () => {
  // d²/dx² of Σ c·act(x), by hand: σ'' = σ(1 − σ)(1 − 2σ), tanh'' = −2 tanh (1 − tanh²).
  const cases: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
    ['sigmoid', sigmoid, (v) => { const s = 1 / (1 + Math.exp(-v)); return s * (1 - s) * (1 - 2 * s); }],
    ['tanh', tanh, (v) => { const t = Math.tanh(v); return -2 * t * (1 - t * t); }],
    ['relu', relu, () => 0],
  ];
  for (const [name, fn, second] of cases) {
    it(name, () => {
      const xv = randomArray(gen, 6, -2, 2).map((v) => (Math.abs(v) < 0.1 ? 0.5 : v));
      const c = randomArray(gen, 6, 0.5, 1.5);
      const x = f64(xv, [6], true);
      fn(x).mul(f64(c, [6])).sum().backward(undefined, { createGraph: true });
      const g1 = x.grad!;
      x.grad = null;
      g1.sum().backward();
      // relu's second derivative is 0: its rule returns no gradient for y, so x.grad may stay null.
      const g2 = x.grad as Tensor | null;
      const got = g2 === null ? new Float64Array(6) : g2.dataSync();
      for (let i = 0; i < 6; i++) expect(got[i]).toBeCloseTo(c[i] * second(xv[i]), 10);
    });
  }

  it('linear(…, \'sigmoid\'): d/dx of Σ V ⊙ dL/dW matches central differences', () => {
    const [rows, inF, outF] = [3, 4, 2];
    const xv = randomArray(gen, rows * inF), wv = randomArray(gen, outF * inF), bv = randomArray(gen, outF);
    const C = f64(randomArray(gen, rows * outF, 0.5, 1.5), [rows, outF]);
    const V = f64(randomArray(gen, outF * inF, 0.5, 1.5), [outF, inF]);
    // L2(x) = Σ V ⊙ ∂/∂W Σ C ⊙ sigmoid(x·Wᵀ + b). With createGraph, W's gradient is itself a
    // graph reaching back to x, and its backward gives the analytic dL2/dx.
    const l2 = (xs: number[], createGraph: boolean): { value: Tensor; x: Tensor } => {
      const x = f64(xs, [rows, inF], true), w = f64(wv, [outF, inF], true), b = f64(bv, [outF]);
      linear(x, w, b, 'sigmoid').mul(C).sum().backward(undefined, { createGraph });
      x.grad = null;
      return { value: w.grad!.mul(V).sum(), x };
    };
    const { value, x } = l2(xv, true);
    value.backward();
    const analytic = x.grad!.dataSync();
    const eps = 1e-6;
    for (let k = 0; k < xv.length; k++) {
      const plus = xv.slice(), minus = xv.slice();
      plus[k] += eps; minus[k] -= eps;
      const numeric = (l2(plus, false).value.item() - l2(minus, false).value.item()) / (2 * eps);
      expect(Math.abs(analytic[k] - numeric)).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(numeric));
      expect(Math.abs(numeric)).toBeGreaterThan(0);
    }
  });
});

describe('backward rules use one activationGrad kernel', () => {
  const backend = getBackend('js');
  const cases: [string, (x: Tensor, w: Tensor) => Tensor][] = [
    ['relu', (x) => relu(x)], ['sigmoid', (x) => sigmoid(x)], ['tanh', (x) => tanh(x)],
    ['linear relu', (x, w) => linear(x, w, null, 'relu')], ['linear sigmoid', (x, w) => linear(x, w, null, 'sigmoid')],
    ['linear tanh', (x, w) => linear(x, w, null, 'tanh')],
  ];
  for (const [name, fn] of cases) {
    it(name, () => {
      const x = tensor(randomArray(gen, 12), [3, 4], { requiresGrad: true });
      const w = tensor(randomArray(gen, 16), [4, 4], { requiresGrad: true });
      const y = fn(x, w);
      const { calls } = recordKernels(backend, () => y.backward(tensor(randomArray(gen, 12), [3, 4])));
      const act = name.split(' ').pop();
      expect(calls.filter((c) => c.kernel === 'activationGrad').map((c) => c.detail)).toEqual([`activationGrad ${act}`]);
      // No leftover elementwise kernels of the old composition (step, 1 − y, y², products).
      expect(calls.filter((c) => c.kernel === 'unary' || c.kernel === 'binary')).toEqual([]);
      const cost = calls.find((c) => c.kernel === 'activationGrad')!;
      expect(cost.bytes).toBe(3 * 12 * 4);
      expect(cost.flops).toBe(12 * (act === 'relu' ? 1 : 3));
    });
  }
});
