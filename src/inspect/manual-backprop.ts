// The seed's dense autoencoder trained with every forward and backward pass written out by hand
// over the backend's kernels, in the style of llm.c: no Tensor, no graph, no autodiff — only
// Float32Arrays and the calls `backend.matmul`, `backend.unary`, `backend.binary`,
// `backend.reduce`, `backend.adamStep`. It exists to be read beside docs/backprop.md and to be
// checked against the autodiff path (test/inspect/manual-backprop.test.ts): same gradients,
// same losses over ten steps.
//
//   x [N, 784] → z1 = x·W1ᵀ + b1 [N, 64] → h1 = relu(z1)
//             → z2 = h1·W2ᵀ + b2 [N, 32] → h2 = relu(z2)          (the code)
//             → z3 = h2·W3ᵀ + b3 [N, 64] → h3 = relu(z3)
//             → z4 = h3·W4ᵀ + b4 [N, 784] → ŷ = σ(z4)
//   L = 1/(N·784) Σ (ŷ − x)²                                       (MSE, the target is x)
//
// Weights are stored [out, in] as in PyTorch (Linear.weight), so a layer is x·Wᵀ.
import type { AdamParams, Backend, MatmulParams } from '../backend/backend.js';

type F32 = Float32Array;

/** One dense layer's parameters and their gradients and Adam moments. */
export interface DenseLayer {
  inF: number;
  outF: number;
  weight: F32;       // [outF, inF]
  bias: F32;         // [outF]
  dWeight: F32;
  dBias: F32;
  mWeight: F32; vWeight: F32; mBias: F32; vBias: F32;
  activation: 'relu' | 'sigmoid';
}

export interface ManualAutoencoder {
  backend: Backend<F32>;
  layers: DenseLayer[];
  step: number;
}

/** Layers 784→64→32→64→784 (relu, relu, relu, sigmoid) with the given initial weights. */
export function manualAutoencoder(backend: Backend, init: { weight: ArrayLike<number>; bias: ArrayLike<number> }[], widths = [784, 64, 32, 64, 784]): ManualAutoencoder {
  if (init.length !== widths.length - 1) throw new Error(`manualAutoencoder: ${widths.length - 1} layers need ${widths.length - 1} initial weights, got ${init.length} (src/inspect/manual-backprop.ts)`);
  const layers = init.map((p, i): DenseLayer => {
    const inF = widths[i], outF = widths[i + 1];
    if (p.weight.length !== outF * inF || p.bias.length !== outF) {
      throw new Error(`manualAutoencoder: layer ${i} expects weight [${outF}, ${inF}] and bias [${outF}], got ${p.weight.length} and ${p.bias.length} values`);
    }
    return {
      inF, outF, weight: Float32Array.from(p.weight), bias: Float32Array.from(p.bias),
      dWeight: new Float32Array(outF * inF), dBias: new Float32Array(outF),
      mWeight: new Float32Array(outF * inF), vWeight: new Float32Array(outF * inF),
      mBias: new Float32Array(outF), vBias: new Float32Array(outF),
      activation: i === init.length - 1 ? 'sigmoid' : 'relu',
    };
  });
  return { backend: backend as Backend<F32>, layers, step: 0 };
}

const matmulParams = (m: number, n: number, k: number, transA: boolean, transB: boolean): MatmulParams =>
  ({ batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0 });

/** out [N, outF] = act(x [N, inF] · Wᵀ + b): one matmul with the bias and activation fused. */
export function denseForward(b: Backend<F32>, layer: DenseLayer, x: F32, rows: number): F32 {
  const out = new Float32Array(rows * layer.outF);
  b.matmul(x, layer.weight, out, { ...matmulParams(rows, layer.outF, layer.inF, false, true), bias: layer.bias, activation: layer.activation });
  return out;
}

/**
 * Given dL/dy [N, outF] and the layer's saved input x [N, inF] and output y = act(z):
 *   dz = dy ⊙ act'(z)       relu' = step(y) (y > 0 exactly where z > 0); σ' = y(1 − y)
 *   dW = dzᵀ · x  [outF, inF]    db = Σ_rows dz  [outF]    dx = dz · W  [N, inF]
 * Writes dW and db into the layer; returns dx (or null when the input needs no gradient).
 */
export function denseBackward(b: Backend<F32>, layer: DenseLayer, dy: F32, x: F32, y: F32, rows: number, needInputGrad: boolean): F32 | null {
  const n = rows * layer.outF;
  const shape = [rows, layer.outF], contiguous = [layer.outF, 1];
  const dz = new Float32Array(n);
  const slope = new Float32Array(n);
  if (layer.activation === 'relu') {
    b.unary('step', y, slope, n, {});
  } else {
    const oneMinusY = new Float32Array(n);
    b.unary('affine', y, oneMinusY, n, { alpha: -1, beta: 1 });                 // 1 − y
    b.binary('mul', y, contiguous, oneMinusY, contiguous, slope, shape);          // y(1 − y)
  }
  b.binary('mul', dy, contiguous, slope, contiguous, dz, shape);
  // dW = dzᵀ·x: A = dz stored [N, outF] = [k, m] (transA), B = x stored [N, inF] = [k, n].
  b.matmul(dz, x, layer.dWeight, matmulParams(layer.outF, layer.inF, rows, true, false));
  // db = Σ over the N rows of dz, viewed as [outer 1, size N, inner outF].
  b.reduce('sum', dz, layer.dBias, 1, rows, layer.outF);
  if (!needInputGrad) return null;
  // dx = dz·W: dz [N, outF] · W [outF, inF].
  const dx = new Float32Array(rows * layer.inF);
  b.matmul(dz, layer.weight, dx, matmulParams(rows, layer.inF, layer.outF, false, false));
  return dx;
}

export interface ManualStep {
  loss: number;
  /** Activations of the forward pass: inputs of each layer, then the reconstruction. */
  activations: F32[];
}

/** Forward, loss, backward: gradients in every layer's dWeight/dBias. Returns the loss. */
export function forwardBackward(model: ManualAutoencoder, x: F32, rows: number): ManualStep {
  const b = model.backend;
  const features = model.layers[0].inF;
  if (x.length !== rows * features) throw new Error(`forwardBackward: x has ${x.length} values, expected ${rows}×${features}`);
  // ---- forward: keep every layer's input, as the backward rules need them ----
  const acts: F32[] = [x];
  for (const layer of model.layers) acts.push(denseForward(b, layer, acts[acts.length - 1], rows));
  const yHat = acts[acts.length - 1];
  const n = rows * features;
  const shape = [rows, features], contiguous = [features, 1];
  // ---- loss: L = (1/n) Σ (ŷ − x)² ----
  const diff = new Float32Array(n);
  b.binary('sub', yHat, contiguous, x, contiguous, diff, shape);
  const sq = new Float32Array(n);
  b.unary('square', diff, sq, n, {});
  const total = new Float32Array(1);
  b.reduce('sum', sq, total, 1, n, 1);
  const loss = total[0] / n;
  // ---- backward: dL/dŷ = 2(ŷ − x)/n, then each layer in reverse ----
  let grad: F32 | null = new Float32Array(n);
  b.unary('affine', diff, grad, n, { alpha: 2 / n, beta: 0 });
  for (let i = model.layers.length - 1; i >= 0; i--) {
    grad = denseBackward(b, model.layers[i], grad!, acts[i], acts[i + 1], rows, i > 0);
  }
  return { loss, activations: acts };
}

/** Adam with PyTorch's defaults through the fused kernel (src/optim/adam.ts uses the same). */
export function adamUpdate(model: ManualAutoencoder, lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): void {
  model.step++;
  const p: AdamParams = { lr, beta1, beta2, eps, weightDecay: 0, decoupled: false, step: model.step };
  for (const l of model.layers) {
    model.backend.adamStep(l.weight, l.dWeight, l.mWeight, l.vWeight, null, l.weight.length, p);
    model.backend.adamStep(l.bias, l.dBias, l.mBias, l.vBias, null, l.bias.length, p);
  }
}

/** One training step: forward, loss, backward, Adam. Returns the loss before the update. */
export function trainStep(model: ManualAutoencoder, x: F32, rows: number, lr = 1e-3): number {
  const { loss } = forwardBackward(model, x, rows);
  adamUpdate(model, lr);
  return loss;
}
