// Matrix products: `matmul` (NumPy semantics: vectors, batches, broadcast batch dims), the
// transpose-flagged core `matmulT` whose backward is two more matmulT calls, and `linear`,
// the dense layer's fused x·Wᵀ + b with an activation in the kernel's epilogue.
import type { Activation } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { broadcastShapes, sameShape, shapeStr, sizeOf } from '../shape.js';
import { checkSame, empty, record, sumTo } from './op.js';
import { expand, reshape } from './shape-ops.js';
import { sum } from './reduce.js';
import { activationGradFromOutput } from './activation.js';

/**
 * op(a)·op(b) over the last two axes, where op(a) = aᵀ when transA. Leading (batch) axes
 * broadcast. a: [..., m, k] (or [..., k, m]), b: [..., k, n] (or [..., n, k]) → [..., m, n].
 */
export function matmulT(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const { backend, dtype } = checkSame('matmul', [a, b]);
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul: expected tensors of rank ≥ 2, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  const ar = a.shape[a.rank - 2], ac = a.shape[a.rank - 1], br = b.shape[b.rank - 2], bc = b.shape[b.rank - 1];
  const m = transA ? ac : ar, k = transA ? ar : ac;
  const kb = transB ? bc : br, n = transB ? br : bc;
  if (k !== kb) {
    throw new Error(`matmul: inner dimensions differ: ${shapeStr(a.shape)}${transA ? 'ᵀ' : ''} · ${shapeStr(b.shape)}${transB ? 'ᵀ' : ''} (${k} vs ${kb})`);
  }
  const aBatch = a.shape.slice(0, -2), bBatch = b.shape.slice(0, -2);
  const batchShape = broadcastShapes('matmul', aBatch, bBatch);
  const batch = sizeOf(batchShape);
  // A batch that is a single matrix (two matrices: every product of a dense layer's step) is
  // read with stride 0; a partial broadcast is expanded.
  const prep = (x: Tensor, xb: readonly number[]): { t: Tensor; stride: number } => {
    if (sizeOf(xb) === 1) return { t: x, stride: 0 };
    const whole = sameShape([...new Array(batchShape.length - xb.length).fill(1), ...xb], batchShape);
    return { t: whole ? x : expand(x, [...batchShape, ...x.shape.slice(-2)]), stride: x.shape[x.rank - 2] * x.shape[x.rank - 1] };
  };
  const pa = prep(a, aBatch), pb = prep(b, bBatch);
  const out = empty([...batchShape, m, n], dtype, backend);
  backend.matmul(pa.t.storage('matmul'), pb.t.storage('matmul'), out.storage('matmul'),
    { batch, m, n, k, transA, transB, strideA: pa.stride, strideB: pb.stride });
  // C = op(A)·op(B): dop(A) = G·op(B)ᵀ, dop(B) = op(A)ᵀ·G; stored transposes swap the roles.
  return record(out, 'matmul', [a, b], (g) => [
    a.requiresGrad ? sumTo(transA ? matmulT(b, g, transB, true) : matmulT(g, b, false, !transB), a.shape) : null,
    b.requiresGrad ? sumTo(transB ? matmulT(g, a, true, transA) : matmulT(a, g, !transA, false), b.shape) : null,
  ], { saved: ['a', 'b'], attrs: { transA, transB, m, n, k, batch } });
}

/** NumPy's matmul: 1-D operands are promoted to matrices and the added axis removed. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkSame('matmul', [a, b], ['input', 'other']);
  if (a.rank === 0 || b.rank === 0) throw new Error(`matmul: scalars are not allowed (shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)}); use mul`);
  // a vector a is one row [1, k]; a vector b one column [k, 1]
  let y = matmulT(a.rank === 1 ? reshape(a, [1, a.shape[0]]) : a, b.rank === 1 ? reshape(b, [b.shape[0], 1]) : b, false, false);
  if (a.rank === 1) y = reshape(y, [...y.shape.slice(0, -2), y.shape[y.rank - 1]]);
  if (b.rank === 1) y = reshape(y, y.shape.slice(0, -1));
  return y;
}

/**
 * act(x·Wᵀ + b) in one kernel call: x [..., in], weight [out, in] (PyTorch's layout), bias [out].
 * Backward: gz = g ⊙ act'(z); dx = gz·W, dW = gzᵀ·x, db = Σ gz over rows.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, activation: Activation = 'none'): Tensor {
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const { backend, dtype } = checkSame('linear', inputs);
  if (weight.rank !== 2) throw new Error(`linear: weight must be [out, in], got ${shapeStr(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.rank < 1 || x.shape[x.rank - 1] !== inF) {
    throw new Error(`linear: input ${shapeStr(x.shape)} does not end in ${inF} features (weight ${shapeStr(weight.shape)})`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`linear: bias must be [${outF}], got ${shapeStr(bias.shape)}`);
  }
  const rows = x.size / inF;
  const out = empty([...x.shape.slice(0, -1), outF], dtype, backend);
  backend.matmul(x.storage('linear'), weight.storage('linear'), out.storage('linear'), {
    batch: 1, m: rows, n: outF, k: inF, transA: false, transB: true, strideA: 0, strideB: 0,
    bias: bias ? bias.storage('linear') : undefined, activation,
  });
  return record(out, 'linear', inputs, (g) => {
    // gz = g ⊙ act'(z), from the output in one kernel (y > 0 exactly where z > 0 for relu)
    const gz = activation === 'none' ? g : activationGradFromOutput(activation, out, g);
    const gz2 = reshape(gz, [rows, outF]), x2 = reshape(x, [rows, inF]);
    return [
      x.requiresGrad ? reshape(matmulT(gz2, weight, false, false), x.shape) : null,
      weight.requiresGrad ? matmulT(gz2, x2, true, false) : null,
      ...(bias ? [bias.requiresGrad ? sum(gz2, 0) : null] : []),
    ];
  }, { saved: ['x', 'weight', activation === 'none' ? '' : 'y'].filter(Boolean), attrs: { activation, rows, in: inF, out: outF } });
}
