// The direct convolution kernels (conv2d, conv2dBackwardData, conv2dBackwardWeight) and max
// pooling with argmax: the js reference against sums built from im2col/col2im (kernels tested on
// their own), then native (every ISA, 1 and 2 threads, and the addon's naive loops), wasm (the
// same kernels compiled to wasm simd128, 1 and 2 threads) and webgpu against js, on odd shapes, size 1, kernels wider than the image, stride, padding, dilation.
// The ops' gradients against float64 finite differences are in test/engine/conv-gradcheck.test.ts.
import { describe, expect, it } from 'vitest';
import type { Activation, Backend, Conv2dGeometry } from '../../src/backend/backend.js';
import { ACTIVATION_CODES } from '../../src/backend/opcodes.js';
import { nativeAddon } from '../../src/backend/native/index.js';
import { Generator, expectClose, isasHere, js, nativeOrThrow, uniform, useIsa } from './native-helpers.js';
import { readAll, requireBackend, setupWebGPU, shouldSkip } from './webgpu-helpers.js';
import { setWasmThreads } from '../../src/backend/wasm/index.js';
import { probeWasm, probedBackend } from '../backend-probe.js';

function geometry(n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number,
  ph: number, pw: number, dh: number, dw: number): Conv2dGeometry {
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  return { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow };
}

// [geometry, cout]: couts 1, 2, 3, 5, 9, 10 and 16 cover the kernels' channel blocks (8 where AVX-512 has 32
// registers, 4, 2 and 1).
const CASES: [Conv2dGeometry, number][] = [
  [geometry(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1), 1],          // size 1 everywhere
  [geometry(2, 3, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1), 5],
  [geometry(3, 2, 8, 6, 3, 2, 2, 3, 1, 0, 2, 1), 4],          // stride 2×3, dilation 2×1
  [geometry(2, 5, 6, 7, 2, 2, 1, 1, 2, 2, 1, 2), 3],          // padding larger than the kernel
  [geometry(3, 2, 4, 4, 5, 5, 1, 1, 2, 2, 1, 1), 2],          // kernel wider than the image
  [geometry(2, 3, 5, 5, 1, 1, 3, 2, 0, 0, 1, 1), 9],          // 1×1 kernel, stride 3×2
  [geometry(1, 4, 9, 9, 3, 3, 1, 2, 2, 0, 2, 2), 1],
  [geometry(5, 8, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1), 16],       // the autoencoder's shapes, 2 threads' worth
  [geometry(4, 16, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1), 1],
  // Stride 2 rows long enough for the vector column deinterleave, odd widths, with its tail.
  [geometry(2, 3, 9, 19, 3, 3, 2, 2, 0, 0, 1, 1), 3],
  [geometry(2, 2, 11, 21, 3, 3, 2, 2, 2, 1, 2, 1), 5],
  [geometry(2, 3, 7, 13, 3, 3, 2, 2, 1, 2, 1, 1), 3],        // even padding across: both column phases start at 1
  // The input gradient's stride-2 column pairs (ConvTranspose2d's upsampling): W2's 8 → 16 channel
  // layer, and the narrowest image (w 2) with stride 1 down and 2 across.
  [geometry(2, 16, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1), 8],
  [geometry(3, 2, 5, 2, 3, 3, 1, 2, 1, 1, 1, 1), 3],
  // 37 images: native's weight-gradient float lanes go into the double sums every 16 images (twice, then the
  // tail); cout 10 takes the 8- and 2-channel blocks. One input channel with 16 out (W2's first layer).
  [geometry(37, 2, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1), 10],
  [geometry(3, 1, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1), 16],
];

const label = (g: Conv2dGeometry, cout: number): string => `${JSON.stringify(g)} cout ${cout}`;

/** The fused epilogue activations, written here from their definitions (relu keeps NaN). */
const ACTS: [Exclude<Activation, 'none'>, (v: number) => number][] = [
  ['relu', (v) => (v <= 0 ? 0 : v)],
  ['sigmoid', (v) => 1 / (1 + Math.exp(-v))],
  ['tanh', (v) => Math.tanh(v)],
];

/** conv2d and conv2dBackwardData with an epilogue activation on a backend (host arrays). */
function runFused(b: Backend<Float32Array>, d: ConvData, g: Conv2dGeometry, cout: number, act: Activation): { y: Float32Array; gx: Float32Array } {
  const y = new Float32Array(g.n * cout * g.oh * g.ow).fill(777), gx = new Float32Array(g.n * g.c * g.h * g.w).fill(777);
  b.conv2d(d.x, d.w, d.bias, y, g, cout, act);
  b.conv2dBackwardData(d.gy, d.w, d.inBias, gx, g, cout, act);
  return { y, gx };
}

/** NaN, ±Inf and large values in x and gy: the epilogue must keep relu's NaN and saturate sigmoid and tanh. */
function withEdgeValues(d: ConvData): ConvData {
  const x = d.x.slice(), gy = d.gy.slice();
  x[0] = NaN; gy[0] = NaN;
  if (x.length > 2) { x[x.length - 1] = Infinity; x[1] = -1e4; }
  if (gy.length > 2) { gy[gy.length - 1] = -Infinity; gy[1] = 1e4; }
  return { ...d, x, gy };
}

/** bias [cout] for conv2d, inBias [c] for conv2dBackwardData (ConvTranspose2d's bias). */
interface ConvData { x: Float32Array; w: Float32Array; bias: Float32Array; inBias: Float32Array; gy: Float32Array }

function data(gen: Generator, g: Conv2dGeometry, cout: number): ConvData {
  return {
    x: uniform(gen, g.n * g.c * g.h * g.w), w: uniform(gen, cout * g.c * g.kh * g.kw),
    bias: uniform(gen, cout), inBias: uniform(gen, g.c), gy: uniform(gen, g.n * cout * g.oh * g.ow),
  };
}

/** The three kernels' outputs on a backend (host arrays in, host arrays out); gb: the bias gradient. */
interface ConvOut { y: Float32Array; gx: Float32Array; gw: Float32Array; gb: Float32Array }

function runCpu(b: Backend<Float32Array>, d: ConvData, g: Conv2dGeometry, cout: number): ConvOut {
  const y = new Float32Array(g.n * cout * g.oh * g.ow).fill(777);
  const gx = new Float32Array(g.n * g.c * g.h * g.w).fill(777);
  const gw = new Float32Array(cout * g.c * g.kh * g.kw).fill(777);
  const gb = new Float32Array(cout).fill(777);
  b.conv2d(d.x, d.w, d.bias, y, g, cout);
  b.conv2dBackwardData(d.gy, d.w, d.inBias, gx, g, cout);
  b.conv2dBackwardWeight(d.x, d.gy, gw, gb, g, cout);
  return { y, gx, gw, gb };
}

/** |got − want| within float32 rounding of sums of `terms` products of values in [−1, 1]. */
function expectConv(got: ConvOut, want: ConvOut, g: Conv2dGeometry, cout: number, what: string): void {
  const eps = 2 ** -22;
  expectClose(got.y, want.y, 1e-5, eps * (g.c * g.kh * g.kw + 1), `${what} conv2d ${label(g, cout)}`);
  expectClose(got.gx, want.gx, 1e-5, eps * cout * g.kh * g.kw, `${what} conv2dBackwardData ${label(g, cout)}`);
  expectClose(got.gw, want.gw, 1e-5, eps * g.n * g.oh * g.ow, `${what} conv2dBackwardWeight ${label(g, cout)}`);
  expectClose(got.gb, want.gb, 1e-5, eps * g.n * g.oh * g.ow, `${what} conv2dBackwardWeight's bias gradient ${label(g, cout)}`);
}

describe('js direct convolution against im2col and col2im', () => {
  it('forward, input gradient and weight gradient are the column products', () => {
    const gen = new Generator(7);
    for (const [g, cout] of CASES) {
      const d = data(gen, g, cout);
      const got = runCpu(js, d, g, cout);
      const K = g.c * g.kh * g.kw, P = g.oh * g.ow;
      const cols = new Float32Array(g.n * K * P);
      js.im2col(d.x, cols, g);
      // y[b, co, p] = bias[co] + Σ_k w[co, k]·cols[b, k, p]; gw[co, k] = Σ_{b,p} gy[b, co, p]·cols[b, k, p];
      // gx = col2im(dcols) with dcols[b, k, p] = Σ_co w[co, k]·gy[b, co, p].
      const y = new Float32Array(g.n * cout * P), gw = new Float32Array(cout * K), dcols = new Float32Array(g.n * K * P);
      const gwAcc = new Float64Array(cout * K), gbAcc = new Float64Array(cout);
      for (let b = 0; b < g.n; b++) {
        for (let co = 0; co < cout; co++) {
          for (let p = 0; p < P; p++) {
            let s = d.bias[co];
            const gv = d.gy[(b * cout + co) * P + p];
            gbAcc[co] += gv;
            for (let k = 0; k < K; k++) {
              s += d.w[co * K + k] * cols[(b * K + k) * P + p];
              gwAcc[co * K + k] += gv * cols[(b * K + k) * P + p];
            }
            y[(b * cout + co) * P + p] = s;
          }
        }
        for (let k = 0; k < K; k++) {
          for (let p = 0; p < P; p++) {
            let s = 0;
            for (let co = 0; co < cout; co++) s += d.w[co * K + k] * d.gy[(b * cout + co) * P + p];
            dcols[(b * K + k) * P + p] = s;
          }
        }
      }
      gw.set(gwAcc);
      const gx = new Float32Array(g.n * g.c * g.h * g.w);
      js.col2im(dcols, gx, g);
      for (let i = 0; i < gx.length; i++) gx[i] += d.inBias[Math.floor(i / (g.h * g.w)) % g.c];
      // col2im adds the rounded column values in float32, the kernel sums in double: rounding apart.
      expectConv(got, { y, gx, gw, gb: Float32Array.from(gbAcc) }, g, cout, 'js');
    }
  });

  it('the epilogue activation is the activation of the unfused output', () => {
    const gen = new Generator(17);
    for (const [g, cout] of CASES.slice(0, 8)) {
      const d = data(gen, g, cout);
      const plain = runFused(js, d, g, cout, 'none');
      for (const [act, f] of ACTS) {
        const got = runFused(js, d, g, cout, act);
        expectClose(got.y, plain.y.map(f), 1e-6, 1e-7, `js conv2d +${act} ${label(g, cout)}`);
        expectClose(got.gx, plain.gx.map(f), 1e-6, 1e-7, `js conv2dBackwardData +${act} ${label(g, cout)}`);
      }
    }
  });

  it('max pooling: the window maximum, its index, and the gradient routed there', () => {
    const gen = new Generator(8);
    const pools = [
      geometry(2, 3, 6, 6, 2, 2, 2, 2, 0, 0, 1, 1),
      geometry(1, 2, 7, 5, 3, 3, 2, 1, 1, 1, 1, 1),   // overlapping windows, padding
      geometry(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1),
      geometry(2, 1, 5, 8, 2, 3, 3, 2, 1, 1, 1, 1),
    ];
    for (const g of pools) {
      const x = uniform(gen, g.n * g.c * g.h * g.w, 0.1, 1);
      const outN = g.n * g.c * g.oh * g.ow;
      const y = new Float32Array(outN), arg = new Float32Array(outN);
      js.maxPool2d(x, y, arg, g);
      // Positive inputs: im2col's zero padding never wins, so the column maximum is the window's.
      const cols = new Float32Array(g.n * g.c * g.kh * g.kw * g.oh * g.ow);
      js.im2col(x, cols, { ...g, n: g.n * g.c, c: 1 });
      const K = g.kh * g.kw, P = g.oh * g.ow;
      for (let pl = 0; pl < g.n * g.c; pl++) {
        for (let p = 0; p < P; p++) {
          let m = -Infinity;
          for (let k = 0; k < K; k++) m = Math.max(m, cols[(pl * K + k) * P + p]);
          expect(y[pl * P + p]).toBe(m);
          expect(x[pl * g.h * g.w + arg[pl * P + p]]).toBe(m);
        }
      }
      const gy = uniform(gen, outN);
      const gx = new Float32Array(x.length).fill(5);
      js.maxPool2dBackward(gy, arg, gx, g);
      const want = new Float64Array(x.length);
      for (let i = 0; i < outN; i++) want[Math.floor(i / P) * g.h * g.w + arg[i]] += gy[i];
      expectClose(gx, Float32Array.from(want), 1e-6, 1e-7, `maxPool2dBackward ${JSON.stringify(g)}`);
    }
  });

  it('max pooling: a NaN wins its window, ties go to the first element', () => {
    const g = geometry(1, 1, 2, 4, 2, 2, 2, 2, 0, 0, 1, 1);
    const x = Float32Array.from([1, 3, 2, NaN, 3, 0, 2, 5]);
    const y = new Float32Array(2), arg = new Float32Array(2);
    js.maxPool2d(x, y, arg, g);
    expect(y[0]).toBe(3);
    expect(arg[0]).toBe(1);          // x[0, 1] = 3 before x[1, 0] = 3
    expect(Number.isNaN(y[1])).toBe(true);
    expect(arg[1]).toBe(3);
  });
});

/**
 * A weight gradient whose value depends on the order its per-16-image sums are added in: images 0,
 * 16, 32 and 48 of 64 (1×1 images and kernel, gy 1) carry 1e20, 1, −1e20, 1, so (1e20 + 1) + (−1e20 + 1)
 * is 0 and ((1e20 + 1) − 1e20) + 1 is 1. Summed one block after another whatever the thread count, its
 * bits cannot depend on the threads; two halves added at the end (the split by thread count) gave 0
 * at 2 threads and 1 at 1. Also W2's middle weight gradient on 37 images (two blocks and a tail), and
 * the layers wider than native's lane scratch (WIDE_LAYERS), whose channel groups are shared among threads.
 */
function orderSensitiveGradients(gen: Generator): [Conv2dGeometry, number, Float32Array, Float32Array][] {
  const g = geometry(64, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1);
  const x = new Float32Array(64);
  [x[0], x[16], x[32], x[48]] = [1e20, 1, -1e20, 1];
  const w2 = geometry(37, 16, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1);
  return [[g, 1, x, new Float32Array(64).fill(1)],
    [w2, 8, uniform(gen, 37 * 16 * 196), uniform(gen, 37 * 8 * 196)], ...WIDE_LAYERS.map(([wide, cout]) => wideData(gen, wide, cout))];
}

/**
 * Layers whose weight gradient native computes in channel groups (the float lanes, 16 floats per weight
 * and bias, fit its 4 MiB lane scratch only so many channels at a time, a multiple of 8), with the groups'
 * channel ranges, and the tasks threads share: (block of images, group) pairs.
 * - 64 → 130, 3×3: 577 weights and bias a channel, 113 channels fit, so groups of 112 and 18 (8 + 8 + 2 in the
 *   kernel's blocks); 37 images: three flushes of 16 images, each its own block, so 3 × 2 tasks, and at 2
 *   threads a run ends in the middle of a block.
 * - 456 → 38, 3×3: 4,105 a channel, 15 fit, so groups of 8 (the least), four of them and one of 6
 *   (4 + 2); 5 images: one block, so the 5 tasks are the groups
 *   alone (2 + 3 at 2 threads, 1 + 2 + 2 at 3), where one task had them all.
 */
const WIDE_LAYERS: [Conv2dGeometry, number, [number, number][]][] = [
  [geometry(37, 64, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1), 130, [[0, 112], [112, 130]]],
  [geometry(5, 456, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1), 38, [[0, 8], [8, 16], [16, 24], [24, 32], [32, 38]]],
];

function wideData(gen: Generator, g: Conv2dGeometry, cout: number): [Conv2dGeometry, number, Float32Array, Float32Array] {
  return [g, cout, uniform(gen, g.n * g.c * g.h * g.w), uniform(gen, g.n * cout * g.oh * g.ow)];
}

/** gy's output channels [c0, c1) of every image: [n, c1 − c0, oh, ow]. */
function channelSlice(gy: Float32Array, g: Conv2dGeometry, cout: number, c0: number, c1: number): Float32Array {
  const ohw = g.oh * g.ow, out = new Float32Array(g.n * (c1 - c0) * ohw);
  for (let b = 0; b < g.n; b++) out.set(gy.subarray((b * cout + c0) * ohw, (b * cout + c1) * ohw), b * (c1 - c0) * ohw);
  return out;
}

const native = nativeOrThrow();

describe.each(isasHere())('native direct convolution on %s', (isa) => {
  it('matches js on every geometry, 1 and 2 threads', () => {
    const gen = new Generator(9);
    for (const threads of [1, 2]) {
      useIsa(isa, threads);
      for (const [g, cout] of CASES) {
        const d = data(gen, g, cout);
        expectConv(runCpu(native, d, g, cout), runCpu(js, d, g, cout), g, cout, `native ${isa} ×${threads}`);
        // Without the biases: nothing added, no bias gradient.
        const [gxN, gxJ] = [0, 1].map(() => new Float32Array(d.x.length).fill(5));
        const [gwN, gwJ] = [0, 1].map(() => new Float32Array(d.w.length).fill(5));
        native.conv2dBackwardData(d.gy, d.w, null, gxN, g, cout);
        js.conv2dBackwardData(d.gy, d.w, null, gxJ, g, cout);
        native.conv2dBackwardWeight(d.x, d.gy, gwN, null, g, cout);
        js.conv2dBackwardWeight(d.x, d.gy, gwJ, null, g, cout);
        expectClose(gxN, gxJ, 1e-5, 1e-5, `native conv2dBackwardData without bias ${label(g, cout)}`);
        expectClose(gwN, gwJ, 1e-5, 1e-5 * g.n * g.oh * g.ow, `native conv2dBackwardWeight without bias ${label(g, cout)}`);
        // The fused epilogue, also on NaN, ±Inf and huge inputs.
        for (const [act] of ACTS) {
          const e = withEdgeValues(d);
          const [n, j] = [runFused(native, e, g, cout, act), runFused(js, e, g, cout, act)];
          expectClose(n.y, j.y, 1e-5, 1e-5 * (g.c * g.kh * g.kw + 1), `native conv2d +${act} ${label(g, cout)}`);
          expectClose(n.gx, j.gx, 1e-5, 1e-5 * cout * g.kh * g.kw, `native conv2dBackwardData +${act} ${label(g, cout)}`);
        }
      }
    }
    useIsa(isa, 1);
  });

  it('weight gradient: the same bits at 1, 2 and 3 threads', () => {
    for (const [g, cout, x, gy] of orderSensitiveGradients(new Generator(12))) {
      const runs = [1, 2, 3].map((threads) => {
        useIsa(isa, threads);
        const gw = new Float32Array(cout * g.c * g.kh * g.kw), gb = new Float32Array(cout);
        native.conv2dBackwardWeight(x, gy, gw, gb, g, cout);
        return [gw, gb];
      });
      useIsa(isa, 1);
      for (const [gw, gb] of runs.slice(1)) {
        expectClose(gw, runs[0][0], 0, 0, `native ${isa} conv2dBackwardWeight ${label(g, cout)}`);
        expectClose(gb, runs[0][1], 0, 0, `native ${isa} conv2dBackwardWeight's bias ${label(g, cout)}`);
      }
    }
  });

  it.each(WIDE_LAYERS)('weight gradient of a layer wider than the lane scratch: each channel group\'s bits as if computed alone, and js (%j, cout %i)', (geom, channels, groups) => {
    const [g, cout, x, gy] = wideData(new Generator(17), geom, channels);
    const taps = g.c * g.kh * g.kw;
    // The groups are native's own (so that the layer stays wider than one group if the scratch changes).
    const group = nativeAddon()!.convWeightGroup(g.c, g.kh * g.kw, true, cout);
    expect(groups).toEqual(Array.from({ length: Math.ceil(cout / group) }, (_, i) => [i * group, Math.min(cout, (i + 1) * group)]));
    expect(group).toBeLessThan(cout);
    const wantW = new Float32Array(cout * taps), wantB = new Float32Array(cout);
    js.conv2dBackwardWeight(x, gy, wantW, wantB, g, cout);
    for (const threads of [1, 2, 3]) {
      useIsa(isa, threads);
      const gw = new Float32Array(cout * taps).fill(777), gb = new Float32Array(cout).fill(777);
      native.conv2dBackwardWeight(x, gy, gw, gb, g, cout);
      // Without a bias (the lanes a channel takes, and so the groups' lanes, one fewer): the same weights.
      const gwNoBias = new Float32Array(cout * taps).fill(777);
      native.conv2dBackwardWeight(x, gy, gwNoBias, null, g, cout);
      expectClose(gwNoBias, gw, 0, 0, `native ${isa} ×${threads} wide weight gradient without a bias`);
      // Each group's channels as a layer of its own, within the scratch (one group).
      for (const [c0, c1] of groups) {
        const part = new Float32Array((c1 - c0) * taps), partBias = new Float32Array(c1 - c0);
        native.conv2dBackwardWeight(x, channelSlice(gy, g, cout, c0, c1), part, partBias, g, c1 - c0);
        expectClose(gw.subarray(c0 * taps, c1 * taps), part, 0, 0, `native ${isa} ×${threads} wide weight gradient, channels ${c0}..${c1}`);
        expectClose(gb.subarray(c0, c1), partBias, 0, 0, `native ${isa} ×${threads} wide bias gradient, channels ${c0}..${c1}`);
      }
      expectClose(gw, wantW, 1e-5, 2 ** -22 * g.n * g.oh * g.ow, `native ${isa} ×${threads} wide weight gradient against js`);
      expectClose(gb, wantB, 1e-5, 2 ** -22 * g.n * g.oh * g.ow, `native ${isa} ×${threads} wide bias gradient against js`);
    }
    useIsa(isa, 1);
  });

  it('max pooling matches js bit for bit, argmax included', () => {
    const gen = new Generator(10);
    // 2×2 pools run a vector of the ISA's lanes (4, 8, 16) a step, a part vector under a mask
    // (AVX-512, AVX2) or one output at a time (4 lanes): rows of 3, 9 (odd w 19), 14 (W2's 28×28),
    // 16, 17 and 33 outputs, and of 1 (w 2 and 3).
    const twoByTwo = (n: number, c: number, h: number, w: number) => geometry(n, c, h, w, 2, 2, 2, 2, 0, 0, 1, 1);
    useIsa(isa, 1);
    for (const g of [twoByTwo(3, 5, 9, 7), twoByTwo(2, 3, 10, 19), twoByTwo(1, 2, 28, 28), twoByTwo(1, 2, 4, 32), twoByTwo(2, 1, 6, 35),
      twoByTwo(1, 1, 4, 66), twoByTwo(1, 3, 2, 2), twoByTwo(1, 3, 5, 3), geometry(2, 3, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1), geometry(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1)]) {
      const x = uniform(gen, g.n * g.c * g.h * g.w);
      // NaNs in every window position and lane, two in a window (the first wins), ties (equal
      // neighbours) and ±Inf.
      for (let i = 3; i < x.length; i += 37) x[i] = NaN;
      for (let i = 20; i + 1 < x.length; i += 53) x[i] = x[i + 1] = NaN;
      for (let i = 10; i + 1 < x.length; i += 23) x[i + 1] = x[i];
      for (let i = 5; i < x.length; i += 41) x[i] = i % 2 ? Infinity : -Infinity;
      const outN = g.n * g.c * g.oh * g.ow;
      const [yN, aN, yJ, aJ] = [0, 1, 2, 3].map(() => new Float32Array(outN));
      native.maxPool2d(x, yN, aN, g);
      js.maxPool2d(x, yJ, aJ, g);
      expectClose(yN, yJ, 0, 0, `maxPool2d on ${isa}, ${g.h}×${g.w}`);
      expectClose(aN, aJ, 0, 0, `maxPool2d argmax on ${isa}, ${g.h}×${g.w}`);
      useIsa(isa, 2);
      const [y2, a2] = [new Float32Array(outN), new Float32Array(outN)];
      native.maxPool2d(x, y2, a2, g);
      useIsa(isa, 1);
      expectClose(y2, yJ, 0, 0, `maxPool2d on ${isa} at 2 threads`);
      expectClose(a2, aJ, 0, 0, `maxPool2d argmax on ${isa} at 2 threads`);
      const gy = uniform(gen, outN);
      const gxN = new Float32Array(x.length).fill(3), gxJ = new Float32Array(x.length);
      native.maxPool2dBackward(gy, aN, gxN, g);
      js.maxPool2dBackward(gy, aJ, gxJ, g);
      expectClose(gxN, gxJ, 0, 0, 'maxPool2dBackward');
    }
  });
});

describe('native naive convolution loops (the addon\'s reference)', () => {
  it('match js', () => {
    const addon = nativeAddon();
    if (addon === null) throw new Error('the native addon did not load');
    const gen = new Generator(11);
    for (const [g, cout] of CASES) {
      const d = data(gen, g, cout);
      const geo = Float64Array.from([g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow]);
      const got: ConvOut = { y: new Float32Array(g.n * cout * g.oh * g.ow), gx: new Float32Array(d.x.length), gw: new Float32Array(d.w.length), gb: new Float32Array(cout) };
      addon.convForward(d.x, d.w, d.bias, got.y, geo, cout, ACTIVATION_CODES.none, true);
      addon.convBackwardData(d.gy, d.w, d.inBias, got.gx, geo, cout, ACTIVATION_CODES.none, true);
      addon.convBackwardWeight(d.x, d.gy, got.gw, got.gb, geo, cout, true);
      expectConv(got, runCpu(js, d, g, cout), g, cout, 'native naive');
      const want = runFused(js, d, g, cout, 'tanh');
      addon.convForward(d.x, d.w, d.bias, got.y, geo, cout, ACTIVATION_CODES.tanh, true);
      addon.convBackwardData(d.gy, d.w, d.inBias, got.gx, geo, cout, ACTIVATION_CODES.tanh, true);
      expectClose(got.y, want.y, 1e-5, 1e-5, `native naive conv2d +tanh ${label(g, cout)}`);
      expectClose(got.gx, want.gx, 1e-5, 1e-5, `native naive conv2dBackwardData +tanh ${label(g, cout)}`);
    }
  });

  it('have no pooled form: naive with an argmax is refused, as is an argmax for a map under 2×2; nothing is written', () => {
    const addon = nativeAddon();
    if (addon === null) throw new Error('the native addon did not load');
    for (const [[g, cout], naive, message] of [
      [CASES[1], true, /(convForward|convBackwardWeight): naive has no pooled form \(argmax must be null\)/],
      [CASES[0], false, /(convForward|convBackwardWeight): a 1×1 map has no 2×2 pool/],
    ] as const) {
      const d = data(new Generator(12), g, cout);
      const geo = Float64Array.from([g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow]);
      const pooled = g.n * cout * Math.floor(g.oh / 2) * Math.floor(g.ow / 2);
      const y = new Float32Array(pooled).fill(-7), argmax = new Float32Array(pooled).fill(-7), gw = new Float32Array(d.w.length).fill(-7);
      expect(() => addon.convForward(d.x, d.w, d.bias, y, geo, cout, ACTIVATION_CODES.none, naive, argmax)).toThrow(message);
      expect(() => addon.convBackwardWeight(d.x, new Float32Array(pooled), gw, null, geo, cout, naive, argmax)).toThrow(message);
      expect([y, argmax, gw].every((a) => a.every((v) => v === -7)), label(g, cout)).toBe(true);
    }
  });
});

const wasmProbe = probeWasm();

describe.skipIf(wasmProbe.skip)('wasm direct convolution and max pooling', () => {
  const wasm = () => probedBackend(wasmProbe, 'wasm') as Backend<Float32Array>;
  /** runCpu on the wasm backend: inputs uploaded into the module's memory, outputs copied out. */
  const runWasm = (d: ConvData, g: Conv2dGeometry, cout: number): ConvOut => {
    const b = wasm();
    const up = (a: Float32Array) => b.upload(a);
    const out = (n: number) => b.upload(new Float32Array(n).fill(777));
    const y = out(g.n * cout * g.oh * g.ow), gx = out(d.x.length), gw = out(d.w.length), gb = out(cout);
    const [x, w, bias, inBias, gy] = [d.x, d.w, d.bias, d.inBias, d.gy].map(up);
    b.conv2d(x, w, bias, y, g, cout);
    b.conv2dBackwardData(gy, w, inBias, gx, g, cout);
    b.conv2dBackwardWeight(x, gy, gw, gb, g, cout);
    const got = { y: y.slice(), gx: gx.slice(), gw: gw.slice(), gb: gb.slice() };
    // Without the biases: nothing added, no bias gradient.
    const gx0 = out(d.x.length), gw0 = out(d.w.length), y0 = out(y.length);
    b.conv2d(x, w, null, y0, g, cout);
    b.conv2dBackwardData(gy, w, null, gx0, g, cout);
    b.conv2dBackwardWeight(x, gy, gw0, null, g, cout);
    const [y0J, gx0J, gw0J] = [y.length, d.x.length, d.w.length].map((n) => new Float32Array(n));
    js.conv2d(d.x, d.w, null, y0J, g, cout);
    js.conv2dBackwardData(d.gy, d.w, null, gx0J, g, cout);
    js.conv2dBackwardWeight(d.x, d.gy, gw0J, null, g, cout);
    expectClose(y0, y0J, 1e-5, 1e-5 * (g.c * g.kh * g.kw + 1), `wasm conv2d without bias ${label(g, cout)}`);
    expectClose(gx0, gx0J, 1e-5, 1e-5 * cout * g.kh * g.kw, `wasm conv2dBackwardData without bias ${label(g, cout)}`);
    expectClose(gw0, gw0J, 1e-5, 1e-5 * g.n * g.oh * g.ow, `wasm conv2dBackwardWeight without bias ${label(g, cout)}`);
    for (const s of [y, gx, gw, gb, x, w, bias, inBias, gy, gx0, gw0, y0]) b.free(s);
    return got;
  };

  it('matches js on every geometry, 1 and 2 threads', () => {
    const gen = new Generator(14);
    for (const threads of [1, 2]) {
      setWasmThreads(threads);
      for (const [g, cout] of CASES) {
        const d = data(gen, g, cout);
        expectConv(runWasm(d, g, cout), runCpu(js, d, g, cout), g, cout, `wasm ×${threads}`);
      }
    }
    setWasmThreads(1);
  });

  it('weight gradient: the same bits at 1 and 2 threads', () => {
    const b = wasm();
    for (const [g, cout, x, gy] of orderSensitiveGradients(new Generator(16))) {
      const runs = [1, 2].map((threads) => {
        setWasmThreads(threads);
        const gw = b.alloc('float32', cout * g.c * g.kh * g.kw), gb = b.alloc('float32', cout);
        const [xw, gyw] = [x, gy].map((a) => b.upload(a));
        b.conv2dBackwardWeight(xw, gyw, gw, gb, g, cout);
        const got = [gw.slice(), gb.slice()];
        for (const s of [gw, gb, xw, gyw]) b.free(s);
        return got;
      });
      setWasmThreads(1);
      expectClose(runs[1][0], runs[0][0], 0, 0, `wasm conv2dBackwardWeight ${label(g, cout)}`);
      expectClose(runs[1][1], runs[0][1], 0, 0, `wasm conv2dBackwardWeight's bias ${label(g, cout)}`);
    }
  });

  it('max pooling matches js bit for bit, argmax included', () => {
    const gen = new Generator(15);
    const b = wasm();
    for (const g of [geometry(3, 5, 9, 7, 2, 2, 2, 2, 0, 0, 1, 1), geometry(2, 3, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1),
      geometry(1, 2, 7, 5, 3, 2, 1, 3, 1, 1, 2, 1), geometry(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1)]) {
      const x = uniform(gen, g.n * g.c * g.h * g.w);
      x[3] = NaN;
      x[x.length - 1] = Infinity;
      x[0] = -Infinity;
      const outN = g.n * g.c * g.oh * g.ow;
      const [yJ, aJ] = [0, 1].map(() => new Float32Array(outN));
      const y = b.alloc('float32', outN), arg = b.alloc('float32', outN), xw = b.upload(x);
      b.maxPool2d(xw, y, arg, g);
      js.maxPool2d(x, yJ, aJ, g);
      expectClose(y, yJ, 0, 0, 'wasm maxPool2d');
      expectClose(arg, aJ, 0, 0, 'wasm maxPool2d argmax');
      const gy = uniform(gen, outN);
      const gxW = b.upload(new Float32Array(x.length).fill(3)), gxJ = new Float32Array(x.length);
      b.maxPool2dBackward(b.upload(gy), arg, gxW, g);
      js.maxPool2dBackward(gy, aJ, gxJ, g);
      expectClose(gxW, gxJ, 0, 0, 'wasm maxPool2dBackward');
    }
  });

  it('checks operand sizes as native does', () => {
    const b = wasm();
    const g = geometry(1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1);
    expect(() => b.conv2d(b.alloc('float32', 8), b.alloc('float32', 4), null, b.alloc('float32', 4), g, 1)).toThrow(/wasm backend conv2d: x has 8 elements/);
    // The activation's code comes from the one table, which names the kernel and the choices.
    const x = b.alloc('float32', 9), w = b.alloc('float32', 4), y = b.alloc('float32', 4);
    expect(() => b.conv2d(x, w, null, y, g, 1, 'elu' as Activation)).toThrow("conv2d: unknown activation 'elu' (expected one of none, relu, sigmoid, tanh)");
    expect(() => b.conv2dBackwardData(y, w, null, x, g, 1, 'gelu' as Activation)).toThrow("conv2dBackwardData: unknown activation 'gelu'");
  });
});

const setup = await setupWebGPU();

describe.skipIf(shouldSkip(setup))('webgpu direct convolution and max pooling vs js', () => {
  const gpu = () => requireBackend(setup);
  it('matches js on every geometry', async () => {
    const gen = new Generator(12);
    for (const [g, cout] of CASES.slice(0, 7)) {
      const d = data(gen, g, cout);
      const want = runCpu(js, d, g, cout);
      const b = gpu();
      const y = b.alloc('float32', want.y.length), gx = b.upload(new Float32Array(want.gx.length).fill(9)), gw = b.alloc('float32', want.gw.length);
      const gb = b.alloc('float32', cout);
      const [x, w, bias, inBias, gy] = [d.x, d.w, d.bias, d.inBias, d.gy].map((a) => b.upload(a));
      b.conv2d(x, w, bias, y, g, cout);
      b.conv2dBackwardData(gy, w, inBias, gx, g, cout);
      b.conv2dBackwardWeight(x, gy, gw, gb, g, cout);
      expectConv({ y: await readAll(b, y), gx: await readAll(b, gx), gw: await readAll(b, gw), gb: await readAll(b, gb) }, want, g, cout, 'webgpu');
      // Without the biases: the same sums, nothing added, no bias gradient written.
      const gx0 = b.alloc('float32', want.gx.length), gw0 = b.alloc('float32', want.gw.length);
      b.conv2dBackwardData(gy, w, null, gx0, g, cout);
      b.conv2dBackwardWeight(x, gy, gw0, null, g, cout);
      const gxWant = want.gx.map((v, i) => v - d.inBias[Math.floor(i / (g.h * g.w)) % g.c]);
      expectClose(await readAll(b, gx0), gxWant, 1e-5, 1e-5, `webgpu conv2dBackwardData without bias ${label(g, cout)}`);
      expectClose(await readAll(b, gw0), want.gw, 1e-5, 1e-5, `webgpu conv2dBackwardWeight without bias ${label(g, cout)}`);
      const y0 = b.alloc('float32', want.y.length);
      b.conv2d(x, w, null, y0, g, cout);
      const noBias = new Float32Array(want.y.length);
      js.conv2d(d.x, d.w, null, noBias, g, cout);
      expectClose(await readAll(b, y0), noBias, 1e-5, 1e-5, `webgpu conv2d without bias ${label(g, cout)}`);
      for (const [act] of ACTS) {
        const e = withEdgeValues(d);
        const j = runFused(js, e, g, cout, act);
        const [ex, egy] = [b.upload(e.x), b.upload(e.gy)];
        const ya = b.alloc('float32', j.y.length), gxa = b.alloc('float32', j.gx.length);
        b.conv2d(ex, w, bias, ya, g, cout, act);
        b.conv2dBackwardData(egy, w, inBias, gxa, g, cout, act);
        expectClose(await readAll(b, ya), j.y, 1e-5, 1e-5 * (g.c * g.kh * g.kw + 1), `webgpu conv2d +${act} ${label(g, cout)}`);
        expectClose(await readAll(b, gxa), j.gx, 1e-5, 1e-5 * cout * g.kh * g.kw, `webgpu conv2dBackwardData +${act} ${label(g, cout)}`);
      }
    }
  });

  it('max pooling matches js, argmax included', async () => {
    const gen = new Generator(13);
    for (const g of [geometry(2, 3, 7, 6, 2, 2, 2, 2, 0, 0, 1, 1), geometry(1, 2, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1), geometry(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1)]) {
      const x = uniform(gen, g.n * g.c * g.h * g.w);
      const outN = g.n * g.c * g.oh * g.ow;
      const yJ = new Float32Array(outN), aJ = new Float32Array(outN);
      js.maxPool2d(x, yJ, aJ, g);
      const b = gpu();
      const y = b.alloc('float32', outN), arg = b.alloc('float32', outN);
      b.maxPool2d(b.upload(x), y, arg, g);
      expectClose(await readAll(b, y), yJ, 0, 0, 'webgpu maxPool2d');
      expectClose(await readAll(b, arg), aJ, 0, 0, 'webgpu maxPool2d argmax');
      const gy = uniform(gen, outN);
      const gxJ = new Float32Array(x.length);
      js.maxPool2dBackward(gy, aJ, gxJ, g);
      const gx = b.alloc('float32', x.length);
      b.maxPool2dBackward(b.upload(gy), arg, gx, g);
      expectClose(await readAll(b, gx), gxJ, 1e-6, 1e-7, 'webgpu maxPool2dBackward');
    }
  });

  it('rejects an unknown activation, naming the kernel', () => {
    const b = gpu(), g = geometry(1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1);
    const x = b.alloc('float32', 9), w = b.alloc('float32', 4), y = b.alloc('float32', 4);
    expect(() => b.conv2d(x, w, null, y, g, 1, 'elu' as Activation)).toThrow("webgpu conv2d: unknown activation 'elu' (expected one of none, relu, sigmoid, tanh)");
    expect(() => b.conv2dBackwardData(y, w, null, x, g, 1, 'gelu' as Activation)).toThrow("webgpu conv2dBackwardData: unknown activation 'gelu'");
  });
});
