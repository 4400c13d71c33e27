// Convolutions: conv2d and convTranspose2d run the backends' direct kernels (conv2d,
// conv2dBackwardData, conv2dBackwardWeight), three ops whose backward rules are each other:
// all three are the bilinear form ⟨gy, conv(x, w)⟩ differentiated, so higher derivatives come
// free. im2col and col2im (each other's adjoint) remain for the pooling ops.
import type { Activation, Conv2dGeometry } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { checkSame, checkTensor, empty, record } from './op.js';
import { expand, reshape } from './shape-ops.js';
import { sum } from './reduce.js';
import { activationGradFromOutput } from './activation.js';

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  /** Applied to the output in the kernel's epilogue, after the bias (default 'none'). */
  activation?: Activation;
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

/** x as an image batch [n, c, h, w], checked. */
export function checkImage(op: string, x: Tensor): Tensor {
  checkTensor(op, x);
  if (x.rank !== 4) throw new Error(`${op}: input must be [n, c, h, w], got ${shapeStr(x.shape)}`);
  return x;
}

/** stride, padding and dilation as pairs, checked (PyTorch's defaults: 1, 0, 1). */
export function windowOptions(op: string, options: Conv2dOptions) {
  const [sh, sw] = pair(op, 'stride', options.stride, 1, 1);
  const [ph, pw] = pair(op, 'padding', options.padding, 0, 0);
  const [dh, dw] = pair(op, 'dilation', options.dilation, 1, 1);
  return { sh, sw, ph, pw, dh, dw };
}

/** The checks conv2d and convTranspose2d share (ranks, channels, bias), and x's geometry without the output size. */
function convArgs(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions, weightDims: string) {
  checkImage(op, x);
  checkSame(op, bias ? [x, weight, bias] : [x, weight], ['x', 'weight', 'bias']);
  if (weight.rank !== 4) throw new Error(`${op}: weight must be ${weightDims}, got ${shapeStr(weight.shape)}`);
  // conv2d's weight is [cout, cin, kh, kw]; the transpose's [cin, cout, kh, kw]
  const [cin, cout] = op === 'convTranspose2d' ? weight.shape : [weight.shape[1], weight.shape[0]];
  if (cin !== x.shape[1]) throw new Error(`${op}: input has ${x.shape[1]} channels but weight ${shapeStr(weight.shape)} expects ${cin}`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== cout)) throw new Error(`${op}: bias must be [${cout}], got ${shapeStr(bias.shape)}`);
  const [n, c, h, w] = x.shape;
  return { cout, g: { n, c, h, w, kh: weight.shape[2], kw: weight.shape[3], ...windowOptions(op, options) } };
}

/** conv2d's checks and geometry (with its output size, at least `least` on each side); op names the caller. */
export function conv2dGeometry(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions, least = 1) {
  const { cout, g } = convArgs(op, x, weight, bias, options, '[cout, cin, kh, kw]');
  const oh = convOutSize(g.h, g.kh, g.sh, g.ph, g.dh), ow = convOutSize(g.w, g.kw, g.sw, g.pw, g.dw);
  if (oh < least || ow < least) {
    throw new Error(`${op}: input ${shapeStr(x.shape)} is too small for kernel ${g.kh}×${g.kw} (padding ${g.ph},${g.pw}, dilation ${g.dh},${g.dw}): output would be ${oh}×${ow}${least > 1 ? `, under the pool's ${least}×${least}` : ''}`);
  }
  return { cout, g: { ...g, oh, ow } };
}

/** x [n, cin, h, w], weight [cout, cin, kh, kw], bias [cout] → [n, cout, oh, ow] (PyTorch's Conv2d). */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const { cout, g } = conv2dGeometry('conv2d', x, weight, bias, options);
  return convPass('conv2d', x, weight, bias, g, cout, options.activation);
}

/**
 * conv2d, y [n, cout, oh, ow] = x ⋆ weight (+ bias), or its adjoint in x, conv2dBackwardData,
 * gx [n, c, h, w] = the adjoint applied to gy (+ bias [c]: ConvTranspose2d's forward). Each one's
 * gradient in its input is the other; in the weight, conv2dBackwardWeight(image side, gy side).
 * With an activation, out = act(…) and the gradient first goes through act' (from out, as linear).
 */
function convPass(op: 'conv2d' | 'conv2dBackwardData', input: Tensor, weight: Tensor, bias: Tensor | null, g: Conv2dGeometry, cout: number, act: Activation = 'none'): Tensor {
  const forward = op === 'conv2d';
  const out = empty(forward ? [g.n, cout, g.oh, g.ow] : [g.n, g.c, g.h, g.w], input.dtype, input.backend);
  input.backend[op](input.storage(op), weight.storage(op), bias ? bias.storage(op) : null, out.storage(op), g, cout, act);
  return record(out, op, bias ? [input, weight, bias] : [input, weight], convRule(op, input, weight, bias, g, cout, act, out),
    { saved: [forward ? 'x' : 'gy', 'weight', ...(act === 'none' ? [] : ['y'])], attrs: { ...g, cout, activation: act } });
}

/** convPass's backward rule: its output's gradient → those of input, weight (and bias); `out` is read only with an activation. */
export function convRule(op: 'conv2d' | 'conv2dBackwardData', input: Tensor, weight: Tensor, bias: Tensor | null, g: Conv2dGeometry, cout: number,
  act: Activation, out: Tensor | null) {
  const forward = op === 'conv2d';
  return (gOut: Tensor) => {
    const G = act === 'none' || out === null ? gOut : activationGradFromOutput(act, out, gOut);
    // conv2d's bias gradient comes out of the weight gradient's pass over gy.
    const wantBias = forward && bias !== null && bias.requiresGrad;
    const grads = weight.requiresGrad || wantBias ? convBackwardWeight(forward ? input : G, forward ? G : input, g, cout, wantBias) : null;
    return [
      input.requiresGrad ? convPass(forward ? 'conv2dBackwardData' : 'conv2d', G, weight, null, g, cout) : null,
      weight.requiresGrad && grads ? grads.gw : null,
      ...(bias ? [forward ? grads?.gb ?? null : bias.requiresGrad ? channelSum(G) : null] : []),
    ];
  };
}

/** Σ of t [n, c, h, w] per channel → [c]. */
function channelSum(t: Tensor): Tensor {
  const [n, c, h, w] = t.shape;
  return sum(sum(reshape(t, [n, c, h * w]), 2), 0);
}

/**
 * gw [cout, c, kh, kw] = the adjoint of conv2d in the weight, for input x and output gradient
 * gy; with withBias also gb [cout] = Σ gy per channel, from the same kernel call.
 */
function convBackwardWeight(x: Tensor, gy: Tensor, g: Conv2dGeometry, cout: number, withBias: boolean): { gw: Tensor; gb: Tensor | null } {
  const gw = empty([cout, g.c, g.kh, g.kw], x.dtype, x.backend);
  const gb = withBias ? empty([cout], x.dtype, x.backend) : null;
  x.backend.conv2dBackwardWeight(x.storage('conv2dBackwardWeight'), gy.storage('conv2dBackwardWeight'), gw.storage('conv2dBackwardWeight'),
    gb ? gb.storage('conv2dBackwardWeight') : null, g, cout);
  record(gw, 'conv2dBackwardWeight', [x, gy], (G) => [
    x.requiresGrad ? convPass('conv2dBackwardData', gy, G, null, g, cout) : null,
    gy.requiresGrad ? convPass('conv2d', x, G, null, g, cout) : null,
  ], { saved: ['x', 'gy'], attrs: { ...g, cout } });
  if (gb) record(gb, 'conv2dBiasGrad', [gy], (G) => [expand(reshape(G, [1, cout, 1, 1]), gy.shape)], { attrs: { cout } });
  return { gw, gb };
}

/**
 * The transpose (adjoint) of conv2d, the decoder's upsampling layer (PyTorch's ConvTranspose2d):
 * x [n, cin, h, w], weight [cin, cout, kh, kw] → [n, cout, oh, ow] with
 * oh = (h − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTranspose2dOptions = {}): Tensor {
  const { cout, g: { c: cin, h, w, ...win } } = convArgs('convTranspose2d', x, weight, bias, options, '[cin, cout, kh, kw]');
  const { kh, kw, sh, sw, ph, pw, dh, dw } = win;
  const [oph, opw] = pair('convTranspose2d', 'outputPadding', options.outputPadding, 0, 0);
  if (oph >= Math.max(sh, dh) || opw >= Math.max(sw, dw)) {
    throw new Error(`convTranspose2d: outputPadding (${oph},${opw}) must be smaller than stride or dilation`);
  }
  const oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const ow = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (oh < 1 || ow < 1) throw new Error(`convTranspose2d: output would be ${oh}×${ow} for input ${shapeStr(x.shape)}`);
  // The output is the input of a conv2d whose output is x: geometry from the output's side.
  // (weight [cin, cout, …] is that conv2d's [its cout, its cin, …] layout)
  return convPass('conv2dBackwardData', x, weight, bias, { ...win, c: cout, h: oh, w: ow, oh: h, ow: w }, cin, options.activation);  // [n, cout, oh, ow]
}
