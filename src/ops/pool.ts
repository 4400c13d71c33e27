// Pooling and upsampling. Max pooling is the backends' maxPool2d kernel, which keeps each
// window's argmax for the backward pass (no second search); average pooling and upsampling are
// composed from im2col, reductions and expand, their gradients from those ops' rules.
import type { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import type { Conv2dGeometry } from '../backend/backend.js';
import { empty, record } from './op.js';
import { isGradEnabled } from '../grad-mode.js';
import { expand, reshape } from './shape-ops.js';
import { mean, sum } from './reduce.js';
import { arange } from './creation.js';
import { eq, mul } from './elementwise.js';
import { activationGradFromOutput, relu, sigmoid, tanh } from './activation.js';
import { checkImage, conv2d, conv2dGeometry, convOutSize, convRule, im2col, pair, windowOptions, type Conv2dOptions, type Pair } from './conv.js';

/** stride defaults to kernelSize, as in PyTorch; no dilation. */
export interface Pool2dOptions extends Pick<Conv2dOptions, 'stride' | 'padding'> {
  kernelSize: Pair;
}

/** The window geometry of [n, c, h, w] → [n, c, oh, ow], checked. */
function poolGeometry(op: string, x: Tensor, options: Pool2dOptions): Conv2dGeometry {
  const [n, c, h, w] = checkImage(op, x).shape;
  const [kh, kw] = pair(op, 'kernelSize', options.kernelSize, 1, 1);
  const { sh, sw, ph, pw } = windowOptions(op, { stride: options.stride ?? options.kernelSize, padding: options.padding });
  if (ph * 2 > kh || pw * 2 > kw) throw new Error(`${op}: padding (${ph},${pw}) must be at most half the kernel (${kh},${kw})`);
  const oh = convOutSize(h, kh, sh, ph, 1), ow = convOutSize(w, kw, sw, pw, 1);
  if (oh < 1 || ow < 1) throw new Error(`${op}: input ${shapeStr(x.shape)} is smaller than the ${kh}×${kw} window`);
  return { n, c, h, w, kh, kw, sh, sw, ph, pw, dh: 1, dw: 1, oh, ow };
}

/** Max over each window; padding lies outside every window's max (PyTorch's −∞ padding). */
export function maxPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const g = poolGeometry('maxPool2d', x, options);
  const y = empty([g.n, g.c, g.oh, g.ow], x.dtype, x.backend);
  const argmax = empty([g.n, g.c, g.oh, g.ow], x.dtype, x.backend);
  x.backend.maxPool2d(x.storage('maxPool2d'), y.storage('maxPool2d'), argmax.storage('maxPool2d'), g);
  return record(y, 'maxPool2d', [x], (gy) => [maxPoolBackward(gy, argmax, g)], { attrs: { ...g } });
}

/**
 * maxPool2d(conv2d(x, weight, bias, options), { kernelSize: 2 }), then options.activation, as one op: the
 * conv autoencoder's encoder layer (with relu, PyTorch's Conv2d → ReLU → MaxPool2d: max commutes with relu).
 * Where the backend has conv2dMaxPool the [n, cout, oh, ow] map is never stored (W2's first layer wrote
 * 12.8 MB that the pool read back: bench/RESULTS.md, "The first convolution and its pool in one pass"),
 * else it is the three ops. The same values, argmax and gradients either way.
 */
export function conv2dMaxPool(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const op = 'conv2dMaxPool', act = options.activation ?? 'none', { cout, g } = conv2dGeometry(op, x, weight, bias, options, 2);
  if (!x.backend.conv2dMaxPool) {
    const pooled = maxPool2d(conv2d(x, weight, bias, { ...options, activation: 'none' }), { kernelSize: 2 });
    return act === 'none' ? pooled : { relu, sigmoid, tanh }[act](pooled);
  }
  const pg: Conv2dGeometry = { n: g.n, c: cout, h: g.oh, w: g.ow, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, oh: Math.floor(g.oh / 2), ow: Math.floor(g.ow / 2) };
  const y = empty([g.n, cout, pg.oh, pg.ow], x.dtype, x.backend), argmax = empty(y.shape, x.dtype, x.backend);
  x.backend.conv2dMaxPool(x.storage(op), weight.storage(op), bias && bias.storage(op), y.storage(op), argmax.storage(op), g, cout, act);
  return record(y, op, bias ? [x, weight, bias] : [x, weight], (gy) => {
    // No input gradient (a first layer) and no graph of the gradients: the weights' straight from the pool's
    // gradient (conv2dMaxPoolBackwardWeight); else the activation's and the pool's rules, then conv2d's.
    if (x.requiresGrad || isGradEnabled() || !x.backend.conv2dMaxPoolBackwardWeight) {
      return convRule('conv2d', x, weight, bias, g, cout, 'none', null)(maxPoolBackward(act === 'none' ? gy : activationGradFromOutput(act, y, gy), argmax, pg));
    }
    const gw = empty(weight.shape, x.dtype, x.backend), gb = bias?.requiresGrad ? empty([cout], x.dtype, x.backend) : null;
    x.backend.conv2dMaxPoolBackwardWeight(x.storage(op), gy.storage(op), argmax.storage(op), gw.storage(op), gb && gb.storage(op), g, cout, y.storage(op), act);
    return [null, weight.requiresGrad ? gw : null, ...(bias ? [gb] : [])];
  }, { saved: ['x', 'weight', ...(act === 'none' ? [] : ['y'])], attrs: { ...g, cout, activation: act } });
}

/** gx: each gradient of gy routed to its window's argmax (linear in gy: its backward gathers). */
function maxPoolBackward(gy: Tensor, argmax: Tensor, g: Conv2dGeometry): Tensor {
  const gx = empty([g.n, g.c, g.h, g.w], gy.dtype, gy.backend);
  gy.backend.maxPool2dBackward(gy.storage('maxPool2dBackward'), argmax.storage('maxPool2dBackward'), gx.storage('maxPool2dBackward'), g);
  return record(gx, 'maxPool2dBackward', [gy], (G) => [gatherAt(G, argmax, g)], { attrs: { ...g } });
}

/**
 * out [n, c, oh, ow] = G at each window's argmax: maxPoolBackward's adjoint (second derivatives),
 * composed as Σ over the window of G · [pixel index = argmax]. Padding's columns hold G = 0.
 */
function gatherAt(G: Tensor, argmax: Tensor, g: Conv2dGeometry): Tensor {
  const { n, c, h, w, oh, ow } = g;
  const cols = planeCols(G, g);                                                          // [n·c, kh·kw, oh·ow]
  const pixel = arange(h * w, undefined, 1, { backend: G.backend.name, dtype: G.dtype });
  const index = planeCols(reshape(pixel, [1, 1, h, w]), { ...g, n: 1, c: 1 });             // [1, kh·kw, oh·ow]
  const hit = eq(index, reshape(argmax, [n * c, 1, oh * ow]));
  return reshape(sum(mul(cols, hit), 1), [n, c, oh, ow]);
}

/** im2col of each channel on its own: x [n, c, h, w] as n·c one-channel images → [n·c, kh·kw, oh·ow]. */
function planeCols(x: Tensor, g: Conv2dGeometry): Tensor {
  return im2col(reshape(x, [g.n * g.c, 1, g.h, g.w]), { ...g, n: g.n * g.c, c: 1 });
}

/** Mean over each window; zero padding counts towards the mean (PyTorch's count_include_pad). */
export function avgPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const g = poolGeometry('avgPool2d', x, options);
  return reshape(mean(planeCols(x, g), 1), [g.n, g.c, g.oh, g.ow]);
}

/** Nearest-neighbour upsampling by an integer factor: [n, c, h, w] → [n, c, h·s, w·s]. */
export function upsampleNearest2d(x: Tensor, scale: Pair): Tensor {
  const [n, c, h, w] = checkImage('upsampleNearest2d', x).shape;
  const [sh, sw] = pair('upsampleNearest2d', 'scale', scale, 1, 1);
  const x6 = reshape(x, [n, c, h, 1, w, 1]);
  return reshape(expand(x6, [n, c, h, sh, w, sw]), [n, c, h * sh, w * sw]);
}
