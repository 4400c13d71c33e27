// Sequential: modules applied in order, named '0', '1', … as in PyTorch. A Linear, Conv2d or
// ConvTranspose2d directly followed by ReLU, Sigmoid or Tanh runs as one fused op (the
// activation in the kernel's epilogue); the modules and their state-dict names stay as they are.
// A ReLU between such a layer and a MaxPool2d runs after the pool instead: relu(max z) = max relu(z),
// with the same argmax wherever the gradient is not 0 (a window whose max is ≤ 0 passes none),
// so the outputs and gradients are bit for bit the same, and relu and its mask touch the pooled
// quarter of the elements, not the whole feature map. A Conv2d then pooled 2×2 (stride 2, with or
// without that ReLU between) runs as conv2dMaxPool, the ReLU included: the full-size map is never stored.
import type { Activation } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { Conv2d, ConvTranspose2d } from './conv.js';
import { ReLU, Sigmoid, Tanh } from './activations.js';
import { MaxPool2d } from './pooling.js';

function fusable(m: Module | undefined): Activation | null {
  if (m instanceof ReLU) return 'relu';
  if (m instanceof Sigmoid) return 'sigmoid';
  if (m instanceof Tanh) return 'tanh';
  return null;
}

/** A MaxPool2d of a 2×2 window, stride 2 (conv2dMaxPool's pool). */
function poolsTwoByTwo(m: Module | undefined): boolean {
  const two = (p: unknown) => p === 2 || (Array.isArray(p) && p[0] === 2 && p[1] === 2);
  return m instanceof MaxPool2d && two(m.kernelSize) && (m.stride === undefined || two(m.stride));
}

export class Sequential extends Module {
  readonly layers: Module[];
  /** Fuse layer + activation pairs (default true; turn off to compare). */
  fuse = true;

  constructor(...modules: Module[]) {
    super();
    this.layers = [];
    for (const m of modules) this.append(m);
  }

  append(m: Module): this {
    this.registerModule(String(this.layers.length), m);
    this.layers.push(m);
    return this;
  }

  get length(): number {
    return this.layers.length;
  }

  at(i: number): Module {
    const m = this.layers[i < 0 ? this.layers.length + i : i];
    if (!m) throw new Error(`Sequential.at: index ${i} is out of range for ${this.layers.length} modules`);
    return m;
  }

  forward(x: Tensor): Tensor {
    return this.forwardFirst(x, this.layers.length);
  }

  /** The first `count` modules only (a VAE's decoder up to its logits, without the final Sigmoid). */
  forwardFirst(x: Tensor, count: number): Tensor {
    let y = x;
    for (let i = 0; i < count; i++) {
      const m = this.layers[i];
      const fuses = (m instanceof Linear && m.activation === 'none') || m instanceof Conv2d || m instanceof ConvTranspose2d;
      const act = this.fuse && fuses && i + 1 < count ? fusable(this.layers[i + 1]) : null;
      const pool = i + 2 < count ? this.layers[i + 2] : undefined;
      if (this.fuse && m instanceof Conv2d && i + 1 < count && poolsTwoByTwo(this.layers[i + 1])) {
        y = m.forwardPooled(y);
        i++;
      } else if (act === 'relu' && pool instanceof MaxPool2d) {
        y = m instanceof Conv2d && poolsTwoByTwo(pool) ? m.forwardPooled(y, 'relu')
          : this.layers[i + 1].call(pool.call((m as Linear | Conv2d | ConvTranspose2d).forwardWith(y, 'none')));
        i += 2;
      } else if (act) {
        y = (m as Linear | Conv2d | ConvTranspose2d).forwardWith(y, act);
        i++;
      } else {
        y = m.call(y);
      }
    }
    return y;
  }

  override describe(): string {
    return `Sequential(${this.layers.map((m) => m.describe()).join(', ')})`;
  }
}
