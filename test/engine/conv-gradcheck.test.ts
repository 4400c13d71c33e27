// conv2d, convTranspose2d and maxPool2d (the direct kernels and the argmax-keeping pool) against
// central finite differences in float64 on the js backend, over the geometry edge cases: size 1,
// stride 3, padding wider than the kernel's half, dilation, output padding, overlapping and
// padded pooling windows; and second derivatives through the kernels' mutual backward rules.
import { describe, expect, it } from 'vitest';
import {
  tensor, Generator, gradcheck, formatGradcheck, setBackend, conv2d, convTranspose2d, maxPool2d, backward, enableGrad, type Tensor,
} from '../../src/index.js';
import { prod, randomArray } from '../helpers.js';

setBackend('js');
const gen = new Generator(77);

function input(shape: number[]): Tensor {
  return tensor(randomArray(gen, prod(shape), -1, 1), shape, { requiresGrad: true });
}

function check(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const report = gradcheck(fn, inputs);
  expect(report.ok, `${name}\n${formatGradcheck(report)}`).toBe(true);
}

describe('gradcheck: direct convolutions', () => {
  it('conv2d: size 1, stride 3, wide padding, dilation, 1×1, non-square', () => {
    check('size 1', (x, w, b) => conv2d(x, w, b), [input([1, 1, 1, 1]), input([1, 1, 1, 1]), input([1])]);
    check('stride 3 × 2, padding 2', (x, w, b) => conv2d(x, w, b, { stride: [3, 2], padding: 2 }), [input([2, 3, 5, 4]), input([5, 3, 2, 3]), input([5])]);
    check('dilation 2 × 1, padding [0, 1]', (x, w) => conv2d(x, w, null, { dilation: [2, 1], padding: [0, 1] }), [input([1, 2, 7, 5]), input([3, 2, 3, 2])]);
    check('kernel wider than the image', (x, w) => conv2d(x, w, null, { padding: 2 }), [input([2, 1, 3, 3]), input([2, 1, 5, 5])]);
  });

  it('convTranspose2d: stride, output padding, dilation, size 1', () => {
    check('convT s2 op1', (x, w, b) => convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), [input([2, 3, 3, 2]), input([3, 5, 3, 3]), input([5])]);
    check('convT s3 dilation 2', (x, w) => convTranspose2d(x, w, null, { stride: [3, 1], dilation: 2, outputPadding: [2, 0] }), [input([1, 2, 2, 3]), input([2, 1, 2, 2])]);
    check('convT size 1', (x, w) => convTranspose2d(x, w), [input([1, 1, 1, 1]), input([1, 1, 1, 1])]);
  });

  it('the fused epilogue activation: conv2d and convTranspose2d with sigmoid, tanh and relu', () => {
    check('conv2d +sigmoid, stride 2', (x, w, b) => conv2d(x, w, b, { stride: 2, padding: 1, activation: 'sigmoid' }), [input([2, 3, 5, 4]), input([4, 3, 3, 3]), input([4])]);
    check('conv2d +tanh, size 1', (x, w, b) => conv2d(x, w, b, { activation: 'tanh' }), [input([1, 1, 1, 1]), input([1, 1, 1, 1]), input([1])]);
    check('convT +tanh s2 op1', (x, w, b) => convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, activation: 'tanh' }), [input([2, 2, 3, 2]), input([2, 3, 3, 3]), input([3])]);
    // relu has a kink at 0, so no output may lie near it: positive inputs and weights (each sum
    // in (0, 18]) with biases 0.1 and 0.5 (channels all on) and −30 (a channel all off).
    const pos = (shape: number[], lo: number) => tensor(randomArray(gen, prod(shape), lo, 1), shape, { requiresGrad: true });
    const bias = tensor([0.1, -30, 0.5], [3], { requiresGrad: true });
    check('conv2d +relu', (x, w, b) => conv2d(x, w, b, { padding: 1, activation: 'relu' }), [pos([1, 2, 4, 3], 0.2), pos([3, 2, 3, 3], 0.1), bias]);
  });

  it('maxPool2d: overlapping and padded windows', () => {
    const distinct = (shape: number[]) => tensor(Array.from(gen.permutation(prod(shape))).map((v) => v / 40 - 1), shape, { requiresGrad: true });
    check('k3 s2 p1', (x) => maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }), [distinct([2, 2, 5, 6])]);
    check('k2 s1', (x) => maxPool2d(x, { kernelSize: 2, stride: 1 }), [distinct([1, 3, 4, 3])]);
    check('k[2,3] s[3,2]', (x) => maxPool2d(x, { kernelSize: [2, 3], stride: [3, 2] }), [distinct([1, 1, 7, 7])]);
  });

  it('second derivatives: the gradients of conv2d and maxPool2d are differentiable', () => {
    // f(x, w) = Σ (∂/∂x Σ r ⊙ conv(x, w)²)·q: its gradient runs through all three conv ops.
    const f64 = { dtype: 'float64' as const };
    const r = tensor(randomArray(gen, 2 * 3 * 3 * 3, -1, 1), [2, 3, 3, 3], f64);
    const q = tensor(randomArray(gen, 2 * 2 * 5 * 5, -1, 1), [2, 2, 5, 5], f64);
    // gradcheck evaluates fn without grad for its finite differences: there the inputs become
    // fresh leaves (same values), so the inner backward runs either way.
    const leaf = (t: Tensor): Tensor => (t.requiresGrad ? t : t.detach().requiresGrad_(true));
    check('conv2d double backward', (x0, w0) => enableGrad(() => {
      const x = leaf(x0), w = leaf(w0);
      const s = conv2d(x, w, null, { stride: 2, padding: 1 }).square().mul(r).sum();
      backward(s, undefined, { createGraph: true });
      const gx = x.grad as Tensor, gw = w.grad as Tensor;
      x.grad = null; w.grad = null;
      return gx.mul(q).sum().add(gw.square().sum());
    }), [input([2, 2, 5, 5]), input([3, 2, 3, 3])]);
    const p = tensor(randomArray(gen, 1 * 2 * 3 * 3, -1, 1), [1, 2, 3, 3], f64);
    const distinct = tensor(Array.from(gen.permutation(1 * 2 * 6 * 6)).map((v) => v / 30 - 1), [1, 2, 6, 6], { requiresGrad: true });
    check('maxPool2d double backward', (x0) => enableGrad(() => {
      const x = leaf(x0);
      const s = maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }).square().mul(p).sum();
      backward(s, undefined, { createGraph: true });
      const gx = x.grad as Tensor;
      x.grad = null;
      return gx.square().sum();
    }), [distinct]);
  });
});
