// Convolutions as matrix products: im2col turns every receptive field into a column, so
// conv2d is W·cols, and its transpose is Wᵀ·x followed by col2im. im2col and col2im are each
// other's adjoint, which is all their backward rules need.
import type { Conv2dGeometry } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { checkSame, checkTensor, empty, record } from './op.js';
import { reshape } from './shape-ops.js';
import { matmulT } from './matmul.js';
import { add } from './elementwise.js';

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  outputPadding?: Pair;
}

export function pair(op: string, name: string, v: Pair | undefined, fallback: number, min: number): [number, number] {
  const p: [number, number] = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= min)) throw new Error(`${op}: ${name} must be an integer ≥ ${min} (or a pair of them), got ${JSON.stringify(v)}`);
  return p;
}

/** Output size of a convolution along one axis. */
export function convOutSize(size: number, kernel: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * im2col: x [n, c, h, w] → cols [n, c·kh·kw, oh·ow]; col2im: cols → [n, c, h, w], overlapping
 * patches summed. Each is the other's adjoint, so each one's backward is the other.
 */
function patches(op: 'im2col' | 'col2im', x: Tensor, g: Conv2dGeometry): Tensor {
  checkTensor(op, x);
  const out = empty(op === 'im2col' ? [g.n, g.c * g.kh * g.kw, g.oh * g.ow] : [g.n, g.c, g.h, g.w], x.dtype, x.backend);
  x.backend[op](x.storage(op), out.storage(op), g);
  return record(out, op, [x], (grad) => [patches(op === 'im2col' ? 'col2im' : 'im2col', grad, g)], { attrs: { ...g } });
}
export const im2col = (x: Tensor, g: Conv2dGeometry): Tensor => patches('im2col', x, g);
export const col2im = (cols: Tensor, g: Conv2dGeometry): Tensor => patches('col2im', cols, g);

/** The checks conv2d and convTranspose2d share: ranks, channels, bias, and the options as pairs. */
function convArgs(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, options: ConvTranspose2dOptions, weightDims: string) {
  checkTensor(op, x);
  checkTensor(op, weight, 'weight');
  checkSame(op, bias ? [x, weight, bias] : [x, weight]);
  if (x.rank !== 4) throw new Error(`${op}: input must be [n, c, h, w], got ${shapeStr(x.shape)}`);
  if (weight.rank !== 4) throw new Error(`${op}: weight must be ${weightDims}, got ${shapeStr(weight.shape)}`);
  const transposed = op === 'convTranspose2d';
  // conv2d's weight is [cout, cin, kh, kw]; the transpose's [cin, cout, kh, kw]
  const [cin, cout] = transposed ? weight.shape : [weight.shape[1], weight.shape[0]];
  if (cin !== x.shape[1]) throw new Error(`${op}: input has ${x.shape[1]} channels but weight ${shapeStr(weight.shape)} expects ${cin}`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== cout)) throw new Error(`${op}: bias must be [${cout}], got ${shapeStr(bias.shape)}`);
  const [sh, sw] = pair(op, 'stride', options.stride, 1, 1);
  const [ph, pw] = pair(op, 'padding', options.padding, 0, 0);
  const [dh, dw] = pair(op, 'dilation', options.dilation, 1, 1);
  return { cout, kh: weight.shape[2], kw: weight.shape[3], sh, sw, ph, pw, dh, dw };
}

/** x [n, cin, h, w], weight [cout, cin, kh, kw], bias [cout] → [n, cout, oh, ow] (PyTorch's Conv2d). */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const { cout, kh, kw, sh, sw, ph, pw, dh, dw } = convArgs('conv2d', x, weight, bias, options, '[cout, cin, kh, kw]');
  const [n, c, h, w] = x.shape;
  const oh = convOutSize(h, kh, sh, ph, dh), ow = convOutSize(w, kw, sw, pw, dw);
  if (oh < 1 || ow < 1) {
    throw new Error(`conv2d: input ${shapeStr(x.shape)} is too small for kernel ${kh}×${kw} (padding ${ph},${pw}, dilation ${dh},${dw}): output would be ${oh}×${ow}`);
  }
  const g: Conv2dGeometry = { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow };
  const cols = im2col(x, g);                                           // [n, c·kh·kw, oh·ow]
  const w2 = reshape(weight, [cout, c * kh * kw]);                      // [cout, c·kh·kw]
  let y = matmulT(w2, cols, false, false);                              // [n, cout, oh·ow]
  if (bias) y = add(y, reshape(bias, [cout, 1]));
  return reshape(y, [n, cout, oh, ow]);
}

/**
 * The transpose (adjoint) of conv2d, the decoder's upsampling layer (PyTorch's ConvTranspose2d):
 * x [n, cin, h, w], weight [cin, cout, kh, kw] → [n, cout, oh, ow] with
 * oh = (h − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTranspose2dOptions = {}): Tensor {
  const { cout, kh, kw, sh, sw, ph, pw, dh, dw } = convArgs('convTranspose2d', x, weight, bias, options, '[cin, cout, kh, kw]');
  const [n, cin, h, w] = x.shape;
  const [oph, opw] = pair('convTranspose2d', 'outputPadding', options.outputPadding, 0, 0);
  if (oph >= Math.max(sh, dh) || opw >= Math.max(sw, dw)) {
    throw new Error(`convTranspose2d: outputPadding (${oph},${opw}) must be smaller than stride or dilation`);
  }
  const oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const ow = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (oh < 1 || ow < 1) throw new Error(`convTranspose2d: output would be ${oh}×${ow} for input ${shapeStr(x.shape)}`);
  // The output is the input of a conv2d whose output is x: geometry from the output's side.
  const g: Conv2dGeometry = { n, c: cout, h: oh, w: ow, kh, kw, sh, sw, ph, pw, dh, dw, oh: h, ow: w };
  const w2 = reshape(weight, [cin, cout * kh * kw]);                    // [cin, cout·kh·kw]
  const x3 = reshape(x, [n, cin, h * w]);                               // [n, cin, h·w]
  const cols = matmulT(w2, x3, true, false);                            // [n, cout·kh·kw, h·w]
  let y = col2im(cols, g);                                              // [n, cout, oh, ow]
  if (bias) y = add(y, reshape(bias, [cout, 1, 1]));
  return y;
}
