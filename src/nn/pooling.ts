// Pooling and upsampling layers over [n, c, h, w].
import type { Tensor } from '../tensor.js';
import { avgPool2d, maxPool2d, upsampleNearest2d } from '../ops/pool.js';
import type { Pair } from '../ops/conv.js';
import { Module } from './module.js';

export class MaxPool2d extends Module {
  /** stride defaults to kernelSize, as in PyTorch. */
  constructor(readonly kernelSize: Pair, readonly stride?: Pair) { super(); }
  forward(x: Tensor): Tensor { return maxPool2d(x, { kernelSize: this.kernelSize, stride: this.stride }); }
  override describe(): string { return `MaxPool2d(${String(this.kernelSize)})`; }
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly stride?: Pair, readonly padding?: Pair) { super(); }
  forward(x: Tensor): Tensor { return avgPool2d(x, { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding }); }
  override describe(): string { return `AvgPool2d(${String(this.kernelSize)})`; }
}

/** Nearest-neighbour upsampling by an integer scale factor (the only mode the engine has). */
export class Upsample extends Module {
  constructor(readonly scaleFactor: Pair, readonly mode: 'nearest' = 'nearest') {
    super();
    if (mode !== 'nearest') throw new Error(`Upsample: mode '${String(mode)}' is not supported; only 'nearest'`);
  }
  forward(x: Tensor): Tensor { return upsampleNearest2d(x, this.scaleFactor); }
  override describe(): string { return `Upsample(×${String(this.scaleFactor)}, nearest)`; }
}
