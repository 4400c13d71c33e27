// Layers that only change the shape: Flatten, Unflatten, Reshape (no copies: reshape aliases).
import type { Tensor } from '../tensor.js';
import { flatten, reshape } from '../ops/shape-ops.js';
import { normalizeAxis, shapeStr } from '../shape.js';
import { Module } from './module.js';

/** Flattens axes startDim..endDim into one (PyTorch's default keeps the batch axis: 1..−1). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  forward(x: Tensor): Tensor { return flatten(x, this.startDim, this.endDim); }
}

/** Splits axis `dim` into `sizes`: Unflatten(1, [1, 28, 28]) turns [n, 784] into [n, 1, 28, 28]. */
export class Unflatten extends Module {
  constructor(readonly dim: number, readonly sizes: readonly number[]) { super(); }
  forward(x: Tensor): Tensor {
    const d = normalizeAxis('Unflatten', this.dim, x.rank);
    const n = this.sizes.reduce((a, b) => a * b, 1);
    if (n !== x.shape[d]) {
      throw new Error(`Unflatten: axis ${d} of ${shapeStr(x.shape)} has size ${x.shape[d]}, which ${shapeStr(this.sizes)} (${n} elements) does not split`);
    }
    return reshape(x, [...x.shape.slice(0, d), ...this.sizes, ...x.shape.slice(d + 1)]);
  }
  override describe(): string { return `Unflatten(${this.dim}, ${shapeStr(this.sizes)})`; }
}

/** Reshapes each example to `shape`, keeping the batch axis: Reshape([1, 28, 28]). */
export class Reshape extends Module {
  constructor(readonly shape: readonly number[]) { super(); }
  forward(x: Tensor): Tensor {
    if (x.rank < 1) throw new Error(`Reshape: expected a batch, got a scalar`);
    return reshape(x, [x.shape[0], ...this.shape]);
  }
  override describe(): string { return `Reshape(${shapeStr(this.shape)})`; }
}
