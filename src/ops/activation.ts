// Activations and softmax. Each derivative is written with ops, using the output y where
// that is cheaper than recomputing from x.
import type { ActivationGradOp } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { normalizeAxis, sameShape, shapeStr, sizeOf } from '../shape.js';
import { checkSame, checkTensor, empty, record } from './op.js';
import { add, affine, erf, exp, gt, log, mul, square, sub, unaryKernel, where } from './elementwise.js';
import { max, sum } from './reduce.js';
import { squeeze } from './shape-ops.js';
import { noGrad } from '../autograd.js';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** g ⊙ act'(x), computed from the activation's output y (one kernel). Differentiable (for createGraph). */
export function activationGradFromOutput(act: ActivationGradOp, y: Tensor, g: Tensor): Tensor {
  const op = 'activationGradFromOutput';
  if (act !== 'relu' && act !== 'sigmoid' && act !== 'tanh') {
    throw new Error(`${op}: unknown activation '${String(act)}' (expected 'relu', 'sigmoid' or 'tanh')`);
  }
  checkTensor(op, y, 'y (the activation\'s output)');
  checkTensor(op, g, 'g (the gradient of y)');
  const { backend, dtype } = checkSame(op, [y, g]);
  if (!sameShape(y.shape, g.shape)) {
    throw new Error(`${op}: y ${shapeStr(y.shape)} and g ${shapeStr(g.shape)} differ; expected g to have y's shape (no broadcasting)`);
  }
  const out = empty(y.shape, dtype, backend);
  backend.activationGrad(act, y.storage(op), g.storage(op), out.storage(op), y.size);
  // out = g ⊙ h(y) with h = act' written in y: relu 1[y > 0], sigmoid y(1 − y), tanh 1 − y².
  // d/dg = h(y) ⊙ dOut (the same kernel); d/dy = dOut ⊙ g ⊙ h'(y): relu 0, sigmoid 1 − 2y, tanh −2y.
  return record(out, op, [y, g], (d) => [
    y.requiresGrad && act !== 'relu' ? mul(mul(d, g), act === 'sigmoid' ? affine(y, -2, 1) : mul(y, -2)) : null,
    g.requiresGrad ? activationGradFromOutput(act, y, d) : null,
  ], { saved: ['y', 'g'], attrs: { act } });
}

export function relu(x: Tensor): Tensor {
  const y = unaryKernel('relu', x);
  // relu'(x) = 1 where x > 0, else 0; y > 0 exactly where x > 0, so y serves (one kernel)
  return record(y, 'relu', [x], (g) => [activationGradFromOutput('relu', y, g)], { saved: ['y'] });
}

export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  const y = unaryKernel('leakyRelu', x, { alpha: slope });
  // 1 where x > 0, else slope: step(x)·(1 − slope) + slope
  return record(y, 'leakyRelu', [x], (g) => [mul(g, affine(unaryKernel('step', x), 1 - slope, slope))],
    { saved: ['x'], attrs: { slope } });
}

export function elu(x: Tensor, alpha = 1): Tensor {
  const y = unaryKernel('elu', x, { alpha });
  // 1 where x > 0, else α·eˣ = y + α
  return record(y, 'elu', [x], (g) => [mul(g, where(gt(x, 0), 1, add(y, alpha)))], { saved: ['x', 'y'], attrs: { alpha } });
}

export function selu(x: Tensor): Tensor {
  const y = unaryKernel('selu', x);
  // scale where x > 0, else scale·α·eˣ = y + scale·α
  return record(y, 'selu', [x], (g) => [mul(g, where(gt(x, 0), SELU_SCALE, add(y, SELU_SCALE * SELU_ALPHA)))], { saved: ['x', 'y'] });
}

export function gelu(x: Tensor): Tensor {
  const y = unaryKernel('gelu', x);
  // d/dx x·Φ(x) = Φ(x) + x·φ(x), Φ(x) = (1 + erf(x/√2))/2, φ(x) = e^(−x²/2)/√(2π)
  return record(y, 'gelu', [x], (g) => {
    const cdf = affine(erf(mul(x, Math.SQRT1_2)), 0.5, 0.5);
    const pdf = mul(exp(mul(square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return [mul(g, add(cdf, mul(x, pdf)))];
  }, { saved: ['x'] });
}

export function sigmoid(x: Tensor): Tensor {
  const y = unaryKernel('sigmoid', x);
  // σ'(x) = σ(x)(1 − σ(x))
  return record(y, 'sigmoid', [x], (g) => [activationGradFromOutput('sigmoid', y, g)], { saved: ['y'] });
}

export function tanh(x: Tensor): Tensor {
  const y = unaryKernel('tanh', x);
  // tanh'(x) = 1 − tanh²(x)
  return record(y, 'tanh', [x], (g) => [activationGradFromOutput('tanh', y, g)], { saved: ['y'] });
}

export function softplus(x: Tensor): Tensor {
  const y = unaryKernel('softplus', x);
  // d/dx log(1 + eˣ) = σ(x)
  return record(y, 'softplus', [x], (g) => [mul(g, sigmoid(x))], { saved: ['x'] });
}

function softmaxKernel(op: 'softmax' | 'logSoftmax', x: Tensor, axis: number): Tensor {
  checkTensor(op, x);
  const a = normalizeAxis(op, axis, x.rank);
  const out = empty(x.shape, x.dtype, x.backend);
  const outer = sizeOf(x.shape.slice(0, a)), size = x.shape[a] ?? 1, inner = sizeOf(x.shape.slice(a + 1));
  x.backend.softmax(x.storage(op), out.storage(op), outer, size, inner, op === 'logSoftmax');
  return out;
}

/** exp(x − max) / Σ exp(x − max) along an axis: stable for any x. */
export function softmax(x: Tensor, axis = -1): Tensor {
  const y = softmaxKernel('softmax', x, axis);
  // dx = y ⊙ (g − Σ g⊙y)
  return record(y, 'softmax', [x], (g) => [mul(y, sub(g, sum(mul(g, y), axis, true)))], { saved: ['y'], attrs: { axis } });
}

/** x − logΣexp(x) along an axis (log-sum-exp with the max subtracted). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const y = softmaxKernel('logSoftmax', x, axis);
  // dx = g − softmax(x) · Σ g
  return record(y, 'logSoftmax', [x], (g) => [sub(g, mul(exp(y), sum(g, axis, true)))], { saved: ['y'], attrs: { axis } });
}

/** log Σ exp(x) along an axis, stably: m + log Σ exp(x − m) with m = max(x) held constant. */
export function logSumExp(x: Tensor, axis = -1, keepDims = false): Tensor {
  checkTensor('logSumExp', x);
  const a = normalizeAxis('logSumExp', axis, x.rank);
  // The result does not depend on m, so m needs no gradient; its gradient is softmax(x).
  const m = noGrad(() => max(x, a, true));
  const lse = add(log(sum(exp(sub(x, m)), a, true)), m);
  return keepDims ? lse : squeeze(lse, a);
}
