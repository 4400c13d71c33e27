// Activations and softmax. Each derivative is written with ops, using the output y where
// that is cheaper than recomputing from x.
import type { ActivationGradOp, Backend } from '../backend/backend.js';
import type { StorageRef, Tensor } from '../tensor.js';
import { normalizeAxis, shapeStr, sizeOf } from '../shape.js';
import { checkSameShape, checkTensor, empty, record } from './op.js';
import { add, affine, erf, exp, gt, mul, square, unaryKernel, unaryOp, where } from './elementwise.js';
import { noGrad } from '../grad-mode.js';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** g ⊙ act'(x), computed from the activation's output y (one kernel). Differentiable (for createGraph). */
export function activationGradFromOutput(act: ActivationGradOp, y: Tensor, g: Tensor): Tensor {
  const op = 'activationGradFromOutput';
  if (act !== 'relu' && act !== 'sigmoid' && act !== 'tanh') throw new Error(`${op}: unknown activation '${String(act)}' (expected 'relu', 'sigmoid' or 'tanh')`);
  const { backend, dtype } = checkSameShape(op, y, g, () => `y ${shapeStr(y.shape)} and g ${shapeStr(g.shape)} differ; expected g to have y's shape (no broadcasting)`);
  const out = empty(y.shape, dtype, backend);
  backend.activationGrad(act, y.storage(op), g.storage(op), out.storage(op), y.size);
  // out = g ⊙ h(y) with h = act' written in y: relu 1[y > 0], sigmoid y(1 − y), tanh 1 − y².
  // d/dg = h(y) ⊙ dOut (the same kernel); d/dy = dOut ⊙ g ⊙ h'(y): relu 0, sigmoid 1 − 2y, tanh −2y.
  return record(out, op, [y, g], (d) => [
    y.requiresGrad && act !== 'relu' ? mul(mul(d, g), act === 'sigmoid' ? affine(y, -2, 1) : mul(y, -2)) : null,
    g.requiresGrad ? activationGradFromOutput(act, y, d) : null,
  ], { saved: ['y', 'g'], attrs: { act } });
}

// relu'(x) = 1 where x > 0, else 0; y > 0 exactly where x > 0, so y serves (one kernel)
export const relu = (x: Tensor): Tensor => unaryOp('relu', x, (g, y) => activationGradFromOutput('relu', y, g), ['y']);

// 1 where x > 0, else slope: step(x)·(1 − slope) + slope
export const leakyRelu = (x: Tensor, slope = 0.01): Tensor =>
  unaryOp('leakyRelu', x, (g) => mul(g, affine(unaryKernel('step', x), 1 - slope, slope)), ['x'], { alpha: slope }, { slope });

// 1 where x > 0, else α·eˣ = y + α
export const elu = (x: Tensor, alpha = 1): Tensor =>
  unaryOp('elu', x, (g, y) => mul(g, where(gt(x, 0), 1, add(y, alpha))), ['x', 'y'], { alpha }, { alpha });

// scale where x > 0, else scale·α·eˣ = y + scale·α
export const selu = (x: Tensor): Tensor =>
  unaryOp('selu', x, (g, y) => mul(g, where(gt(x, 0), SELU_SCALE, add(y, SELU_SCALE * SELU_ALPHA))), ['x', 'y']);

// d/dx x·Φ(x) = Φ(x) + x·φ(x), Φ(x) = (1 + erf(x/√2))/2, φ(x) = e^(−x²/2)/√(2π)
export const gelu = (x: Tensor): Tensor => unaryOp('gelu', x, (g) => {
  const cdf = affine(erf(mul(x, Math.SQRT1_2)), 0.5, 0.5);
  const pdf = mul(exp(mul(square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
  return mul(g, add(cdf, mul(x, pdf)));
}, ['x']);

// σ'(x) = σ(x)(1 − σ(x))
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x, (g, y) => activationGradFromOutput('sigmoid', y, g), ['y']);
// σ(x) computed when first read: the VAE's training reconstruction (src/models/vae.ts), which a
// fit() step's loss never reads (BCE takes the logits), so the step skips a pass over the batch.
/**
 * @internal σ(x) with sigmoid's graph node, its storage filled by the sigmoid kernel on first use
 * (Tensor.storage runs StorageRef.pending). It holds x's storage, not x, until then. The contract:
 * nothing may write x's storage before the result is first read (the fill reads it then); the
 * VAE's logits are a fresh layer output that nothing writes.
 */
export function sigmoidDeferred(x: Tensor): Tensor {
  const y = empty(checkTensor('sigmoid', x).shape, x.dtype, x.backend);
  y.ref.pending = sigmoidFill(x.backend, x.ref.retain(), y.ref, x.size);
  return record(y, 'sigmoid', [x], (g) => [activationGradFromOutput('sigmoid', y, g)], { saved: ['y'] });
}

/**
 * The fill, built here so that it captures the two storages only: a closure that captured the
 * tensor y would keep it reachable from the FinalizationRegistry that holds y's StorageRef
 * (src/memory.ts), and an undisposed result would never be freed on wasm or webgpu. A kernel that
 * throws leaves the fill pending (Tensor.storage clears it only after it ran): every read tries again.
 */
const sigmoidFill = (backend: Backend, source: StorageRef, out: StorageRef, size: number) => (run: boolean): void => {
  if (run) backend.unary('sigmoid', source.storage, out.storage, size, {});
  source.release();
};
// tanh'(x) = 1 − tanh²(x)
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x, (g, y) => activationGradFromOutput('tanh', y, g), ['y']);
// d/dx log(1 + eˣ) = σ(x)
export const softplus = (x: Tensor): Tensor => unaryOp('softplus', x, (g) => mul(g, sigmoid(x)), ['x']);

/** (log-)softmax along an axis by the backend's stable kernel; dL/dx = rule(g, y). */
function softmaxOp(op: 'softmax' | 'logSoftmax', x: Tensor, axis: number, rule: (g: Tensor, y: Tensor) => Tensor): Tensor {
  checkTensor(op, x);
  const a = normalizeAxis(op, axis, x.rank);
  const y = empty(x.shape, x.dtype, x.backend);
  const outer = sizeOf(x.shape.slice(0, a)), size = x.shape[a] ?? 1, inner = sizeOf(x.shape.slice(a + 1));
  x.backend.softmax(x.storage(op), y.storage(op), outer, size, inner, op === 'logSoftmax');
  return record(y, op, [x], (g) => [rule(g, y)], { saved: ['y'], attrs: { axis } });
}

/** exp(x − max) / Σ exp(x − max) along an axis: stable for any x. */
// dx = y ⊙ (g − Σ g⊙y)
export const softmax = (x: Tensor, axis = -1): Tensor => softmaxOp('softmax', x, axis, (g, y) => mul(y, g.sub(mul(g, y).sum(axis, true))));

/** x − logΣexp(x) along an axis (log-sum-exp with the max subtracted). */
// dx = g − softmax(x) · Σ g
export const logSoftmax = (x: Tensor, axis = -1): Tensor => softmaxOp('logSoftmax', x, axis, (g, y) => g.sub(mul(exp(y), g.sum(axis, true))));

/** log Σ exp(x) along an axis, stably: m + log Σ exp(x − m) with m = max(x) held constant. */
export function logSumExp(x: Tensor, axis = -1, keepDims = false): Tensor {
  checkTensor('logSumExp', x);
  const a = normalizeAxis('logSumExp', axis, x.rank);
  // The result does not depend on m, so m needs no gradient; its gradient is softmax(x).
  const m = noGrad(() => x.max(a, true));
  const lse = add(exp(x.sub(m)).sum(a, true).log(), m);
  return keepDims ? lse : lse.squeeze(a);
}
