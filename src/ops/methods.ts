// The ops as Tensor methods (x.add(y), x.sum(1), loss.backward()): each method is the op of the
// same name with the tensor as its first argument, attached here so that tensor.ts imports no
// op. Backward rules call ops through these methods where importing them would point upwards.
import { Tensor } from '../tensor.js';
import { backward } from '../autograd.js';
import { abs, add, clamp, cos, div, eq, exp, ge, gt, le, log, lt, maximum, minimum, mul, neg, pow, reciprocal, sign, sin, sqrt, square, sub } from './elementwise.js';
import { elu, gelu, leakyRelu, logSoftmax, relu, selu, sigmoid, softmax, softplus, tanh } from './activation.js';
import { argmax, argmin, max, mean, min, sum, sumSquares } from './reduce.js';
import { clone, expand, flatten, permute, reshape, slice, squeeze, to, transpose, unsqueeze } from './shape-ops.js';
import { matmul } from './matmul.js';

const methods = {
  add, sub, mul, div, pow, maximum, minimum, gt, ge, lt, le, eq,
  neg, abs, sign, exp, log, sqrt, square, reciprocal, sin, cos, clamp,
  relu, leakyRelu, elu, selu, gelu, sigmoid, tanh, softplus, softmax, logSoftmax,
  matmul, sum, sumSquares, mean, max, min, argmax, argmin,
  reshape, flatten, squeeze, unsqueeze, permute, transpose, expand, slice, clone,
  /** Copies to another backend (or dtype); differentiable. */
  to,
  /** dL/d(every leaf that requires grad) accumulated into `.grad`. */
  backward,
};

type Method<F> = F extends (x: Tensor, ...args: infer A) => infer R ? (...args: A) => R : never;
type TensorMethods = { [K in keyof typeof methods]: Method<(typeof methods)[K]> };

declare module '../tensor.js' {
  interface Tensor extends TensorMethods {
    /** The transpose of the last two axes. */
    readonly T: Tensor;
  }
}

for (const [name, op] of Object.entries(methods) as [string, (x: Tensor, ...args: unknown[]) => unknown][]) {
  Object.defineProperty(Tensor.prototype, name, { value(this: Tensor, ...args: unknown[]) { return op(this, ...args); }, writable: true, configurable: true });
}
Object.defineProperty(Tensor.prototype, 'T', { get(this: Tensor) { return transpose(this, -2, -1); }, configurable: true });
