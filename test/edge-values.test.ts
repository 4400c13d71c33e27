// Edge values on every backend: NaN and ±∞ through every unary op, clamp, maximum/minimum, the
// reductions and the fused matmul epilogues, and saturated sigmoid/BCE. Each backend must give
// the js backend's answer (NaN where js has NaN), forward and backward, and js must give
// PyTorch's (values checked below were taken from PyTorch 2.x's documented semantics).
import { describe, expect, it } from 'vitest';
import {
  tensor, getBackend, setBackend, useBackend, availableBackends, erf, linear, where, bceLoss, crossEntropyLoss,
  type Backend, type Tensor,
} from '../src/index.js';

const EDGE = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, 100, -100];

const ops: Record<string, (x: Tensor) => Tensor> = {
  neg: (x) => x.neg(), abs: (x) => x.abs(), sign: (x) => x.sign(), exp: (x) => x.exp(), log: (x) => x.log(),
  sqrt: (x) => x.sqrt(), square: (x) => x.square(), reciprocal: (x) => x.reciprocal(), sin: (x) => x.sin(),
  cos: (x) => x.cos(), erf: (x) => erf(x), relu: (x) => x.relu(), sigmoid: (x) => x.sigmoid(), tanh: (x) => x.tanh(),
  softplus: (x) => x.softplus(), gelu: (x) => x.gelu(), selu: (x) => x.selu(), leakyRelu: (x) => x.leakyRelu(0.2),
  elu: (x) => x.elu(0.8), affine: (x) => x.mul(-1.5).add(0.25), 'pow 1.7': (x) => x.pow(1.7), 'pow 3': (x) => x.pow(3),
  'pow -1': (x) => x.pow(-1), 'pow 0.5': (x) => x.pow(0.5), 'clamp(-0.3, 0.4)': (x) => x.clamp(-0.3, 0.4),
  'clamp(0, 1)': (x) => x.clamp(0, 1), 'maximum 0': (x) => x.maximum(0), 'minimum 0': (x) => x.minimum(0),
  'maximum NaN': (x) => x.maximum(NaN), 'gt 0': (x) => x.gt(0), 'le 0': (x) => x.le(0), 'eq self': (x) => x.eq(x.detach()),
  where: (x) => where(x.gt(0), x, x.mul(2)), 'max over axis': (x) => x.reshape([2, 5]).max(1),
  'min over axis': (x) => x.reshape([2, 5]).min(1), softmax: (x) => x.reshape([2, 5]).softmax(1),
  ...Object.fromEntries((['relu', 'sigmoid', 'tanh'] as const).map((act) => [`linear ${act}`, (x: Tensor) =>
    linear(x.reshape([10, 1]), tensor([1], [1, 1], { backend: x.backend }), tensor([0], [1], { backend: x.backend }), act)])),
};

interface Result { y: number[]; grad: number[] }

async function run(backend: Backend, f: (x: Tensor) => Tensor, values = EDGE): Promise<Result> {
  const x = tensor(values, [values.length], { backend, requiresGrad: true });
  const y = f(x);
  if (y.requiresGrad) y.backward(tensor(new Array(y.size).fill(1), y.shape, { backend }));
  return { y: Array.from(await y.data()), grad: x.grad ? Array.from(await x.grad.data()) : [] };
}

/** Equal, or both NaN, or within float32 rounding of transcendental functions. */
function agree(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= 2e-6 * (1 + Math.abs(a));
}

function expectAgree(what: string, actual: number[], expected: number[], inputs: number[]): void {
  const bad = expected.map((e, i) => (agree(e, actual[i]) ? null : `at ${inputs[i] ?? i}: ${actual[i]}, js ${e}`)).filter((s) => s !== null);
  expect(bad, what).toEqual([]);
}

async function otherBackends(): Promise<Backend[]> {
  const out: Backend[] = [];
  const native = availableBackends().find((b) => b.name === 'native')!;
  if (native.available) out.push(getBackend('native'));
  else if (process.env.CI) throw new Error(`native backend unavailable in CI: ${native.reason}`);
  const wasm = availableBackends().find((b) => b.name === 'wasm')!;
  if (wasm.available) out.push(getBackend('wasm'));
  else if (process.env.CI) throw new Error(`wasm backend unavailable in CI: ${wasm.reason}`);
  else console.warn(`edge values: wasm skipped: ${wasm.reason}`);
  try {
    out.push(await useBackend('webgpu'));
  } catch (e) {
    if (process.env.CI) throw new Error(`no WebGPU adapter in CI: ${(e as Error).message}`);
    console.warn(`edge values: webgpu skipped: ${(e as Error).message}`);
  } finally {
    setBackend('js');
  }
  return out;
}

const backends = await otherBackends();
const js = getBackend('js');

describe('edge values agree on every backend', () => {
  it('js gives PyTorch\'s answers: relu and clamp keep NaN, relu\'s gradient at NaN passes g', async () => {
    const relu = await run(js, ops.relu);
    expect(relu.y.map(String)).toEqual(['NaN', 'Infinity', '0', '0', '0', '1', '0', '0.5', '100', '0']);
    // threshold_backward(g, y, 0): y ≤ 0 ? 0 : g, so g at y = NaN
    expect(relu.grad).toEqual([1, 1, 0, 0, 0, 1, 0, 1, 1, 0]);
    expect((await run(js, ops['clamp(0, 1)'])).y.map(String)).toEqual(['NaN', '1', '0', '0', '0', '1', '0', '0.5', '1', '0']);
    const sig = await run(js, ops.sigmoid);
    expect(sig.y.slice(0, 3).map(String)).toEqual(['NaN', '1', '0']);
    // saturated: σ'(100) = y(1 − y) = 0 and σ'(−100) = σ(−100) ≈ 3.8e-44, never NaN
    expect(sig.grad[8]).toBe(0);
    expect(sig.grad[9]).toBeGreaterThanOrEqual(0);
    expect(sig.grad[9]).toBeLessThan(1e-40);
  });

  for (const backend of backends) {
    it(`${backend.name}: NaN, ±∞, ±0 through every unary op, clamp, maximum, reductions, epilogues`, async () => {
      for (const [name, f] of Object.entries(ops)) {
        const expected = await run(js, f);
        const actual = await run(backend, f);
        expectAgree(`${backend.name} ${name} forward`, actual.y, expected.y, EDGE);
        expectAgree(`${backend.name} ${name} backward`, actual.grad, expected.grad, EDGE);
      }
    });

    it(`${backend.name}: saturated sigmoid + BCE gives PyTorch's loss 100 and gradient 0, not NaN`, async () => {
      // sigmoid(±200) is exactly 1 or 0 in float32: a saturated, wrong prediction.
      const logits = [200, -200, 200, -200, 0, 3];
      const targets = [0, 1, 1, 0, 1, 0.25];
      const f = async (b: Backend) => {
        const x = tensor(logits, [6], { backend: b, requiresGrad: true });
        const loss = bceLoss(x.sigmoid(), tensor(targets, [6], { backend: b }), { reduction: 'none' });
        loss.sum().backward();
        return { loss: Array.from(await loss.data()), grad: Array.from(await x.grad!.data()) };
      };
      const got = await f(backend), want = await f(js);
      expectAgree(`${backend.name} bce loss`, got.loss, want.loss, logits);
      expectAgree(`${backend.name} bce grad`, got.grad, want.grad, logits);
      // PyTorch: F.binary_cross_entropy(σ(x), y, reduction='none') clamps each log at −100.
      expect(got.loss.slice(0, 4).map((v) => v + 0)).toEqual([100, 100, 0, 0]);   // −0 counts as 0
      expect(got.loss[4]).toBeCloseTo(Math.LN2, 6);
      expect(got.grad.slice(0, 4).map((v) => v + 0)).toEqual([0, 0, 0, 0]);
      // d/dx BCE(σ(x), y) = σ(x) − y
      expect(got.grad[5]).toBeCloseTo(1 / (1 + Math.exp(-3)) - 0.25, 5);
    });

    it(`${backend.name}: BCE and cross-entropy refuse (native, wasm) or give NaN (webgpu) for invalid inputs`, async () => {
      const bce = () => bceLoss(tensor([0.5, 1.5], [2], { backend }), tensor([1, 0], [2], { backend }), { reduction: 'none' });
      const ce = () => crossEntropyLoss(tensor([1, 2, 3, 4, 5, 6], [2, 3], { backend }), tensor([1, 3], [2], { backend }), { reduction: 'none' });
      if (backend.name === 'webgpu') {
        // No synchronous read on webgpu: the offending element's loss is NaN (not 0 or a finite value).
        const loss = Array.from(await bce().data());
        expect(loss[0]).toBeCloseTo(Math.LN2, 6);
        expect(loss[1]).toBeNaN();
        const perExample = Array.from(await ce().data());
        expect(Number.isFinite(perExample[0])).toBe(true);
        expect(perExample[1]).toBeNaN();
      } else {
        expect(bce).toThrow('bceLoss: prediction [2] holds 1.5 at [1]; expected values in [0, 1]');
        expect(ce).toThrow('crossEntropyLoss: target [2] holds class index 3 at [1]; expected an integer in 0…2 for logits [2, 3]');
      }
    });
  }
});
