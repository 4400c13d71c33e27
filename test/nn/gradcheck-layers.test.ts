// Every layer's gradients (input and each parameter) against central finite differences in
// float64: the modules are built inside withDefaultDType('float64') so their parameters are
// float64 from the start.
import { describe, it } from 'vitest';
import { Generator, setBackend, withDefaultDType, tensor, type Tensor } from '../../src/index.js';
import {
  Linear, Conv2d, ConvTranspose2d, Flatten, Unflatten, Reshape, MaxPool2d, AvgPool2d, Upsample, Dropout,
  BatchNorm1d, BatchNorm2d, ReLU, LeakyReLU, ELU, SELU, GELU, Sigmoid, Tanh, Softplus, Softmax, LogSoftmax, Sequential,
  type Module,
} from '../../src/nn/index.js';
import { prod, randomArray } from '../helpers.js';
import { checkModule } from './nn-helpers.js';

setBackend('js');
const gen = new Generator(99);
const f64 = <T>(fn: () => T): T => withDefaultDType('float64', fn);

/** Inputs kept away from 0 (the kink of relu-like activations). */
function input(shape: number[], low = -1, high = 1): Tensor {
  const v = randomArray(gen, prod(shape), low, high).map((x) => (Math.abs(x) < 0.05 ? x + 0.1 * Math.sign(x || 1) : x));
  return f64(() => tensor(v, shape));
}

describe('gradcheck: parameterised layers', () => {
  it('Linear (with and without bias, fused activations)', () => {
    checkModule('Linear', f64(() => new Linear(4, 3, { generator: gen })), input([5, 4]));
    checkModule('Linear no bias', f64(() => new Linear(3, 2, { bias: false, generator: gen })), input([2, 3]));
    for (const activation of ['relu', 'sigmoid', 'tanh'] as const) {
      checkModule(`Linear ${activation}`, f64(() => new Linear(4, 3, { activation, generator: gen, biasInit: 'zeros' })), input([3, 4]));
    }
  });
  it('Conv2d (stride 2, padding 1)', () => {
    checkModule('Conv2d', f64(() => new Conv2d(2, 3, 3, { stride: 2, padding: 1, generator: gen })), input([2, 2, 5, 5]));
  });
  it('ConvTranspose2d (stride 2, padding 1, output padding 1)', () => {
    checkModule('ConvTranspose2d', f64(() => new ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1, outputPadding: 1, generator: gen })), input([2, 2, 3, 3]));
  });
  it('BatchNorm1d and BatchNorm2d in training mode (batch statistics)', () => {
    const bn1 = f64(() => new BatchNorm1d(3));
    checkModule('BatchNorm1d', bn1, input([6, 3]));
    checkModule('BatchNorm1d [n, c, l]', f64(() => new BatchNorm1d(2)), input([3, 2, 4]));
    checkModule('BatchNorm2d', f64(() => new BatchNorm2d(2)), input([3, 2, 3, 3]));
  });
  it('BatchNorm2d in eval mode (running statistics)', () => {
    const bn = f64(() => new BatchNorm2d(2));
    bn.forward(input([4, 2, 3, 3], 0, 3)); // move the running statistics off 0 / 1
    bn.eval();
    checkModule('BatchNorm2d eval', bn, input([2, 2, 3, 3]));
  });
  it('Dropout in training mode (the same mask for every evaluation)', () => {
    const d = f64(() => new Dropout(0.3, { generator: new Generator(5) }));
    checkModule('Dropout', d, input([4, 6]), () => { (d as unknown as { generator: Generator }).generator = new Generator(5); });
  });
  it('a Sequential of Linear, ReLU, BatchNorm1d, Linear, Sigmoid (fused pairs)', () => {
    const seq = f64(() => new Sequential(new Linear(5, 4, { generator: gen }), new ReLU(), new BatchNorm1d(4),
      new Linear(4, 3, { generator: gen }), new Sigmoid()));
    checkModule('Sequential', seq, input([6, 5]));
  });
});

describe('gradcheck: parameter-free layers', () => {
  const cases: [string, () => Module, number[]][] = [
    ['ReLU', () => new ReLU(), [3, 4]],
    ['LeakyReLU', () => new LeakyReLU(0.1), [3, 4]],
    ['ELU', () => new ELU(0.7), [3, 4]],
    ['SELU', () => new SELU(), [3, 4]],
    ['GELU', () => new GELU(), [3, 4]],
    ['Sigmoid', () => new Sigmoid(), [3, 4]],
    ['Tanh', () => new Tanh(), [3, 4]],
    ['Softplus', () => new Softplus(), [3, 4]],
    ['Softmax', () => new Softmax(), [3, 4]],
    ['LogSoftmax', () => new LogSoftmax(1), [3, 4]],
    ['Flatten', () => new Flatten(), [2, 3, 2]],
    ['Unflatten', () => new Unflatten(1, [2, 3]), [2, 6]],
    ['Reshape', () => new Reshape([3, 2]), [2, 6]],
    ['MaxPool2d', () => new MaxPool2d(2), [2, 2, 4, 4]],
    ['AvgPool2d', () => new AvgPool2d(2), [2, 2, 4, 4]],
    ['Upsample', () => new Upsample(2), [1, 2, 2, 3]],
  ];
  for (const [name, make, shape] of cases) {
    it(name, () => checkModule(name, f64(make), input(shape)));
  }
});
