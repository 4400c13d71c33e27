// Pooling and upsampling, composed from im2col, reductions and expand: their gradients come
// from those ops' rules.
import type { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { checkTensor } from './op.js';
import { expand, reshape } from './shape-ops.js';
import { max, mean } from './reduce.js';
import { convOutSize, im2col, pair, type Pair } from './conv.js';

export interface Pool2dOptions {
  kernelSize: Pair;
  /** Defaults to kernelSize, as in PyTorch. */
  stride?: Pair;
  padding?: Pair;
}

/** Each window of each channel reduced to one value: [n, c, h, w] → [n, c, oh, ow]. */
function pool(op: string, x: Tensor, options: Pool2dOptions, reduce: (cols: Tensor) => Tensor): Tensor {
  checkTensor(op, x);
  if (x.rank !== 4) throw new Error(`${op}: input must be [n, c, h, w], got ${shapeStr(x.shape)}`);
  const [n, c, h, w] = x.shape;
  const [kh, kw] = pair(op, 'kernelSize', options.kernelSize, 1, 1);
  const [sh, sw] = pair(op, 'stride', options.stride ?? options.kernelSize, 1, 1);
  const [ph, pw] = pair(op, 'padding', options.padding, 0, 0);
  if (ph * 2 > kh || pw * 2 > kw) throw new Error(`${op}: padding (${ph},${pw}) must be at most half the kernel (${kh},${kw})`);
  const oh = convOutSize(h, kh, sh, ph, 1), ow = convOutSize(w, kw, sw, pw, 1);
  if (oh < 1 || ow < 1) throw new Error(`${op}: input ${shapeStr(x.shape)} is smaller than the ${kh}×${kw} window`);
  // Each channel is pooled on its own: treat [n, c] as n·c one-channel images.
  const x1 = reshape(x, [n * c, 1, h, w]);
  const cols = im2col(x1, { n: n * c, c: 1, h, w, kh, kw, sh, sw, ph, pw, dh: 1, dw: 1, oh, ow }); // [n·c, kh·kw, oh·ow]
  return reshape(reduce(cols), [n, c, oh, ow]);
}

/** Max over each window. Padding is not supported (PyTorch pads with −∞; im2col pads with 0). */
export function maxPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const [ph, pw] = pair('maxPool2d', 'padding', options.padding, 0, 0);
  if (ph !== 0 || pw !== 0) throw new Error(`maxPool2d: padding (${ph},${pw}) is not supported; pad the input or use a smaller stride`);
  return pool('maxPool2d', x, options, (cols) => max(cols, 1));
}

/** Mean over each window; zero padding counts towards the mean (PyTorch's count_include_pad). */
export const avgPool2d = (x: Tensor, options: Pool2dOptions): Tensor => pool('avgPool2d', x, options, (cols) => mean(cols, 1));

/** Nearest-neighbour upsampling by an integer factor: [n, c, h, w] → [n, c, h·s, w·s]. */
export function upsampleNearest2d(x: Tensor, scale: Pair): Tensor {
  checkTensor('upsampleNearest2d', x);
  if (x.rank !== 4) throw new Error(`upsampleNearest2d: input must be [n, c, h, w], got ${shapeStr(x.shape)}`);
  const [sh, sw] = pair('upsampleNearest2d', 'scale', scale, 1, 1);
  const [n, c, h, w] = x.shape;
  const x6 = reshape(x, [n, c, h, 1, w, 1]);
  return reshape(expand(x6, [n, c, h, sh, w, sw]), [n, c, h * sh, w * sw]);
}
