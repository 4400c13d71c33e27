// The cost model: arithmetic (FLOPs) and memory traffic (bytes) of one kernel call, computed
// from the arguments the op passed to the backend. An op's cost is the sum over its kernels, so
// conv2d costs its im2col (bytes only) plus its matmul (2·m·n·k), and a fused linear costs
// one matmul with its bias and activation epilogue.
//
// Conventions: one FLOP per multiply, add, compare or transcendental (exp counts as one);
// bytes are what the kernel must read and write at least once (a broadcast operand counts
// its own elements, not the output's); element size comes from the storage (8 for float64
// arrays on js, else 4).
import type { AdamParams, Conv2dGeometry, MatmulParams, SgdParams } from '../backend/backend.js';

export interface KernelCost {
  flops: number;
  bytes: number;
}

/** Bytes per element of a storage handle: typed arrays say; GPU buffers hold float32. */
function elementBytes(storage: unknown): number {
  const b = (storage as { BYTES_PER_ELEMENT?: number } | null)?.BYTES_PER_ELEMENT;
  return typeof b === 'number' ? b : 4;
}

function product(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

/** Distinct elements a strided operand reads: the axes with stride 0 are broadcast. */
function readExtent(shape: readonly number[], strides: readonly number[]): number {
  let p = 1;
  for (let d = 0; d < shape.length; d++) if (strides[d] !== 0) p *= shape[d];
  return p;
}

/** FLOPs per element of the epilogue activation (sigmoid: exp, add, divide). */
const EPILOGUE_FLOPS = { none: 0, relu: 1, sigmoid: 3, tanh: 3 } as const;

/**
 * The cost of `kernel` called with `args` (the backend method's own arguments, in order).
 * Kernels that move memory only (copy, fill, im2col) cost 0 FLOPs.
 */
export function kernelCost(kernel: string, args: readonly unknown[]): KernelCost {
  switch (kernel) {
    case 'fill': {
      const [out, size] = args as [unknown, number];
      return { flops: 0, bytes: size * elementBytes(out) };
    }
    case 'unary': {
      const [, x, , size] = args as [string, unknown, unknown, number];
      return { flops: size, bytes: 2 * size * elementBytes(x) };
    }
    case 'activationGrad': {
      // reads y and g, writes out; relu 1 FLOP per element (g · 1[y > 0]), sigmoid 3 (1 − y, ·y, ·g), tanh 3 (y², 1 −, ·g).
      const [act, y, , , size] = args as [string, unknown, unknown, unknown, number];
      return { flops: size * (act === 'relu' ? 1 : 3), bytes: 3 * size * elementBytes(y) };
    }
    case 'binary': {
      const [, a, aStrides, , bStrides, , outShape] = args as [string, unknown, number[], unknown, number[], unknown, number[]];
      const n = product(outShape);
      return { flops: n, bytes: (readExtent(outShape, aStrides) + readExtent(outShape, bStrides) + n) * elementBytes(a) };
    }
    case 'bceLogitsWithGrad': {
      // reads logits and target, writes loss and grad; about 10 FLOPs an element besides e^−|z| and log1p.
      const [z, , , , size] = args as [unknown, unknown, unknown, unknown, number];
      return { flops: 10 * size, bytes: 4 * size * elementBytes(z) };
    }
    case 'where': {
      const [c, cS, , aS, , bS, , outShape] = args as [unknown, number[], unknown, number[], unknown, number[], unknown, number[]];
      const n = product(outShape);
      return { flops: n, bytes: (readExtent(outShape, cS) + readExtent(outShape, aS) + readExtent(outShape, bS) + n) * elementBytes(c) };
    }
    case 'reduce': {
      const [op, x, , outer, size, inner] = args as [string, unknown, unknown, number, number, number];
      // sumSquares: a multiply and an add per element; the others one add or compare.
      return { flops: (op === 'sumSquares' ? 2 : 1) * outer * size * inner, bytes: (outer * size * inner + outer * inner) * elementBytes(x) };
    }
    case 'copy': {
      const [src, , , , , , shape] = args as [unknown, number, number[], unknown, number, number[], number[]];
      return { flops: 0, bytes: 2 * product(shape) * elementBytes(src) };
    }
    case 'matmul': {
      const [a, , , p] = args as [unknown, unknown, unknown, MatmulParams];
      const outN = p.batch * p.m * p.n;
      // 2·m·n·k: one multiply and one add per term of every dot product.
      const flops = 2 * outN * p.k + (p.bias ? outN : 0) + outN * EPILOGUE_FLOPS[p.activation ?? 'none'];
      const aN = (p.strideA === 0 ? 1 : p.batch) * p.m * p.k;
      const bN = (p.strideB === 0 ? 1 : p.batch) * p.k * p.n;
      return { flops, bytes: (aN + bN + outN + (p.bias ? p.n : 0)) * elementBytes(a) };
    }
    case 'softmax': {
      const [x, , outer, size, inner] = args as [unknown, unknown, number, number, number];
      const n = outer * size * inner;
      // max, subtract, exp, sum, divide (or log and subtract).
      return { flops: 5 * n, bytes: 2 * n * elementBytes(x) };
    }
    case 'im2col': {
      const [x, , g] = args as [unknown, unknown, Conv2dGeometry];
      const cols = g.n * g.c * g.kh * g.kw * g.oh * g.ow;
      return { flops: 0, bytes: (g.n * g.c * g.h * g.w + cols) * elementBytes(x) };
    }
    case 'col2im': {
      const [cols, , g] = args as [unknown, unknown, Conv2dGeometry];
      const n = g.n * g.c * g.kh * g.kw * g.oh * g.ow;
      // Every column element is added into the image once.
      return { flops: n, bytes: (n + g.n * g.c * g.h * g.w) * elementBytes(cols) };
    }
    case 'conv2d':
    case 'conv2dBackwardData':
    case 'conv2dBackwardWeight': {
      // 2·n·cout·oh·ow·c·kh·kw in each direction: every product of the convolution once (the
      // direct kernels' multiplies by padding or by inserted zeros are not counted).
      const [x, , , , g, cout] = args as [unknown, unknown, unknown, unknown, Conv2dGeometry, number];
      const outN = g.n * cout * g.oh * g.ow;
      const flops = 2 * outN * g.c * g.kh * g.kw;
      return { flops, bytes: (g.n * g.c * g.h * g.w + outN + cout * g.c * g.kh * g.kw) * elementBytes(x) };
    }
    case 'conv2dMaxPool':
    case 'conv2dMaxPoolBackwardWeight': {
      // conv2d's products (forward, or the weight gradient's), the pool's comparisons (4 per output) in
      // the forward; the pooled quarter and its argmax stored or read, never the map.
      const [x, , , , , g, cout] = args as [unknown, unknown, unknown, unknown, unknown, Conv2dGeometry, number];
      const outN = g.n * cout * g.oh * g.ow, pooled = g.n * cout * Math.floor(g.oh / 2) * Math.floor(g.ow / 2);
      return { flops: 2 * outN * g.c * g.kh * g.kw + (kernel === 'conv2dMaxPool' ? 4 * pooled : 0), bytes: (g.n * g.c * g.h * g.w + 2 * pooled + cout * g.c * g.kh * g.kw) * elementBytes(x) };
    }
    case 'maxPool2d':
    case 'maxPool2dBackward': {
      const [x, , , g] = args as [unknown, unknown, unknown, Conv2dGeometry];
      const outN = g.n * g.c * g.oh * g.ow;
      return { flops: kernel === 'maxPool2d' ? outN * g.kh * g.kw : outN, bytes: (g.n * g.c * g.h * g.w + 2 * outN) * elementBytes(x) };
    }
    case 'sgdStep': {
      const [param, , buf, size, p] = args as [unknown, unknown, unknown, number, SgdParams];
      // p −= lr·(g + wd·p), with momentum buf = μ·buf + (1 − dampening)·g first.
      const flops = size * (2 + (p.weightDecay ? 2 : 0) + (buf ? 3 : 0) + (p.nesterov ? 2 : 0));
      return { flops, bytes: size * elementBytes(param) * (3 + (buf ? 2 : 0)) };
    }
    case 'adamStep': {
      const [param, , , , vMax, size, p] = args as [unknown, unknown, unknown, unknown, unknown, number, AdamParams];
      // m, v moving averages (3 + 4), bias-corrected step (√, +ε, ÷, ·lr, −): about 12 per element.
      const flops = size * (12 + (p.weightDecay ? 2 : 0) + (vMax ? 1 : 0));
      // read/write p, m, v (and vMax), read g.
      return { flops, bytes: size * elementBytes(param) * (7 + (vMax ? 2 : 0)) };
    }
    case 'random': {
      // Integer work (Philox rounds) and, for normals, a log and a sin/cos per pair: no FLOPs
      // counted; writes out only.
      const [, out, size] = args as [string, unknown, number];
      return { flops: 0, bytes: size * elementBytes(out) };
    }
    default:
      return { flops: 0, bytes: 0 };
  }
}

/** A short description of one kernel call: 'matmul 256×64×784 +bias relu', 'unary step'. */
export function kernelDetail(kernel: string, args: readonly unknown[]): string {
  switch (kernel) {
    case 'unary':
    case 'activationGrad':
    case 'binary':
    case 'reduce':
    case 'random':
      return `${kernel} ${String(args[0])}`;
    case 'matmul': {
      const p = args[3] as MatmulParams;
      const dims = `${p.batch > 1 ? `${p.batch}×` : ''}${p.m}×${p.n}×${p.k}`;
      const flags = [p.transA ? 'Aᵀ' : '', p.transB ? 'Bᵀ' : '', p.bias ? '+bias' : '',
        p.activation && p.activation !== 'none' ? p.activation : ''].filter(Boolean);
      return `matmul m×n×k ${dims}${flags.length ? ` ${flags.join(' ')}` : ''}`;
    }
    case 'softmax':
      return args[5] ? 'logSoftmax' : 'softmax';
    case 'conv2d':
    case 'conv2dBackwardData':
    case 'conv2dBackwardWeight': {
      const g = args[4] as Conv2dGeometry, cout = args[5] as number;
      const bias = (kernel === 'conv2dBackwardWeight' ? args[3] : args[2]) ? (kernel === 'conv2dBackwardWeight' ? ' +bias grad' : ' +bias') : '';
      const act = kernel !== 'conv2dBackwardWeight' && args[6] && args[6] !== 'none' ? ` +${String(args[6])}` : '';
      return `${kernel} ${g.n}×${g.c}×${g.h}×${g.w} ⇄ ${cout}×${g.oh}×${g.ow} k${g.kh}×${g.kw} s${g.sh} p${g.ph}${bias}${act}`;
    }
    case 'conv2dMaxPool':
    case 'conv2dMaxPoolBackwardWeight': {
      const g = args[5] as Conv2dGeometry, cout = args[6] as number;
      const bias = kernel === 'conv2dMaxPool' ? (args[2] ? ' +bias' : '') : args[4] ? ' +bias grad' : '';
      const act = args[kernel === 'conv2dMaxPool' ? 7 : 8];
      return `${kernel} ${g.n}×${g.c}×${g.h}×${g.w} ⇄ ${cout}×${g.oh}×${g.ow} k${g.kh}×${g.kw} s${g.sh} p${g.ph}${bias}, pool 2×2${act && act !== 'none' ? ` +${String(act)}` : ''}`;
    }
    default:
      return kernel;
  }
}
