// Every differentiable op against central finite differences in float64, on random shapes
// with size-1 axes and broadcasting.
import { describe, expect, it } from 'vitest';
import {
  tensor, Generator, gradcheck, formatGradcheck, setBackend, where, concat, stack, matmul, linear,
  conv2d, convTranspose2d, maxPool2d, avgPool2d, upsampleNearest2d, logSumExp, type Tensor,
} from '../../src/index.js';
import { prod, randomArray } from '../helpers.js';

setBackend('js');
const gen = new Generator(2024);

function input(shape: number[], low = -1, high = 1): Tensor {
  return tensor(randomArray(gen, prod(shape), low, high), shape, { requiresGrad: true });
}

/** Values kept away from an op's kinks (|x| ≥ margin) so finite differences are meaningful. */
function awayFromZero(shape: number[], margin = 0.05): Tensor {
  const v = randomArray(gen, prod(shape), -1, 1).map((x) => (Math.abs(x) < margin ? x + Math.sign(x || 1) * 2 * margin : x));
  return tensor(v, shape, { requiresGrad: true });
}

function check(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const report = gradcheck(fn, inputs);
  expect(report.ok, `${name}\n${formatGradcheck(report)}`).toBe(true);
  expect(report.inputs.length).toBe(inputs.length);
}

const shapes: number[][] = [[1], [5], [3, 1], [2, 3], [1, 4, 1], [2, 3, 4]];

describe('gradcheck: unary ops', () => {
  const smooth: Record<string, (x: Tensor) => Tensor> = {
    neg: (x) => x.neg(), exp: (x) => x.exp(), square: (x) => x.square(), sin: (x) => x.sin(), cos: (x) => x.cos(),
    sigmoid: (x) => x.sigmoid(), tanh: (x) => x.tanh(), softplus: (x) => x.softplus(), gelu: (x) => x.gelu(),
    affine: (x) => x.mul(3).add(-2), powScalar3: (x) => x.pow(3),
  };
  for (const [name, f] of Object.entries(smooth)) {
    it(name, () => { for (const s of shapes) check(`${name} ${s}`, f, [input(s)]); });
  }
  const positive: Record<string, (x: Tensor) => Tensor> = {
    log: (x) => x.log(), sqrt: (x) => x.sqrt(), reciprocal: (x) => x.reciprocal(), powScalarHalf: (x) => x.pow(0.5),
  };
  for (const [name, f] of Object.entries(positive)) {
    it(name, () => { for (const s of shapes) check(`${name} ${s}`, f, [input(s, 0.3, 2)]); });
  }
  const kinked: Record<string, (x: Tensor) => Tensor> = {
    abs: (x) => x.abs(), relu: (x) => x.relu(), leakyRelu: (x) => x.leakyRelu(0.1), elu: (x) => x.elu(0.7),
    selu: (x) => x.selu(), clamp: (x) => x.clamp(-0.5, 0.5),
  };
  for (const [name, f] of Object.entries(kinked)) {
    it(name, () => {
      for (const s of shapes) {
        const x = awayFromZero(s);
        // clamp also has kinks at ±0.5: move values away from them.
        const xs = name === 'clamp' ? tensor(Array.from(x.dataSync()).map((v) => (Math.abs(Math.abs(v) - 0.5) < 0.05 ? v * 0.8 : v)), s, { requiresGrad: true }) : x;
        check(`${name} ${s}`, f, [xs]);
      }
    });
  }
});

describe('gradcheck: binary ops with broadcasting', () => {
  const pairs: [number[], number[]][] = [[[2, 3], [2, 3]], [[2, 3], [3]], [[4, 1], [1, 5]], [[1], [2, 2]], [[2, 1, 3], [4, 1]]];
  const ops: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
    add: (a, b) => a.add(b), sub: (a, b) => a.sub(b), mul: (a, b) => a.mul(b), div: (a, b) => a.div(b),
    pow: (a, b) => a.pow(b), maximum: (a, b) => a.maximum(b), minimum: (a, b) => a.minimum(b),
  };
  for (const [name, f] of Object.entries(ops)) {
    it(name, () => {
      for (const [sa, sb] of pairs) {
        // Positive bases for pow and division; distinct values for max/min.
        check(`${name} ${sa} ${sb}`, f, [input(sa, 0.5, 1.5), input(sb, 1.6, 2.5)]);
      }
    });
  }
  it('where', () => {
    // The mask is made inside fn, so it takes gradcheck's float64 dtype like the inputs.
    check('where', (a, b) => where(tensor([1, 0, 1, 0, 0, 1], [2, 3]), a, b), [input([2, 3]), input([3])]);
  });
});

describe('gradcheck: reductions, softmax, shapes', () => {
  it('sum and mean over axes', () => {
    for (const axes of [undefined, [0], [1], [0, 2], [1, 2]]) {
      check(`sum ${axes}`, (x) => x.sum(axes, false), [input([2, 3, 4])]);
      check(`mean ${axes} keepDims`, (x) => x.mean(axes, true), [input([2, 3, 4])]);
    }
  });
  it('max and min (distinct values)', () => {
    const distinct = () => tensor(Array.from(gen.permutation(24)).map((v) => v / 10), [2, 3, 4], { requiresGrad: true });
    for (const axes of [undefined, [1], [0, 2]]) {
      check(`max ${axes}`, (x) => x.max(axes), [distinct()]);
      check(`min ${axes}`, (x) => x.min(axes, true), [distinct()]);
    }
  });
  it('softmax, logSoftmax, logSumExp along each axis', () => {
    for (const axis of [0, 1, -1]) {
      check(`softmax ${axis}`, (x) => x.softmax(axis), [input([3, 4, 2])]);
      check(`logSoftmax ${axis}`, (x) => x.logSoftmax(axis), [input([3, 4, 2])]);
      check(`logSumExp ${axis}`, (x) => logSumExp(x, axis), [input([3, 4, 2])]);
    }
  });
  it('reshape, permute, transpose, expand, slice, concat, stack', () => {
    check('reshape', (x) => x.reshape([6, 4]).mul(x.reshape([6, 4])), [input([2, 3, 4])]);
    check('permute', (x) => x.permute([2, 0, 1]), [input([2, 3, 4])]);
    check('transpose', (x) => x.T, [input([3, 5])]);
    check('expand', (x) => x.expand([2, 3, 4]), [input([3, 1])]);
    check('slice', (x) => x.slice([0, 1, 1], [2, 3, 3]), [input([2, 3, 4])]);
    check('concat', (a, b) => concat([a, b], 1), [input([2, 1, 3]), input([2, 4, 3])]);
    check('stack', (a, b) => stack([a, b], 2), [input([2, 3]), input([2, 3])]);
  });
});

describe('gradcheck: matmul, linear, conv, pooling', () => {
  it('matmul: 2-D, batched, broadcast, vectors', () => {
    check('2d', matmul, [input([3, 4]), input([4, 5])]);
    check('size 1', matmul, [input([1, 1]), input([1, 3])]);
    check('batched', matmul, [input([2, 3, 4]), input([2, 4, 2])]);
    check('broadcast B', matmul, [input([2, 3, 4]), input([4, 2])]);
    check('broadcast both', matmul, [input([3, 1, 2, 4]), input([2, 4, 3])]);
    check('vector', matmul, [input([4]), input([4, 3])]);
  });
  it('linear with each epilogue', () => {
    for (const act of ['none', 'sigmoid', 'tanh'] as const) {
      check(`linear ${act}`, (x, w, b) => linear(x, w, b, act), [input([5, 3]), input([4, 3]), input([4])]);
    }
    // relu's kink: keep pre-activations away from 0 by a large bias
    check('linear relu', (x, w, b) => linear(x, w, b, 'relu'), [input([5, 3], -0.1, 0.1), input([4, 3], -0.1, 0.1), tensor([1, -1, 1, -1], [4], { requiresGrad: true })]);
    check('linear 3-D input', (x, w) => linear(x, w, null), [input([2, 3, 3]), input([2, 3])]);
  });
  it('conv2d with stride, padding, dilation', () => {
    check('conv2d', (x, w, b) => conv2d(x, w, b, { stride: 2, padding: 1 }), [input([2, 2, 5, 4]), input([3, 2, 3, 3]), input([3])]);
    check('conv2d dilated', (x, w) => conv2d(x, w, null, { dilation: 2 }), [input([1, 1, 6, 6]), input([2, 1, 2, 2])]);
  });
  it('convTranspose2d', () => {
    check('convT', (x, w, b) => convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), [input([2, 3, 3, 3]), input([3, 2, 3, 3]), input([2])]);
  });
  it('pooling and upsampling', () => {
    const distinct = () => tensor(Array.from(gen.permutation(2 * 3 * 4 * 4)).map((v) => v / 50), [2, 3, 4, 4], { requiresGrad: true });
    check('maxPool2d', (x) => maxPool2d(x, { kernelSize: 2 }), [distinct()]);
    check('avgPool2d', (x) => avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1 }), [input([1, 2, 4, 5])]);
    check('upsample', (x) => upsampleNearest2d(x, 2), [input([1, 2, 2, 3])]);
  });
});

describe('gradcheck catches a wrong gradient', () => {
  it('fails on a deliberately broken backward rule', () => {
    const x = input([4]);
    const broken = (t: Tensor) => {
      const y = t.mul(2);
      // Wrap: forward 2x, but report a gradient of 3 per element.
      if (y.node) y.node.backward = (g) => [g.mul(3)];
      return y;
    };
    expect(gradcheck(broken, [x]).ok).toBe(false);
  });
});
