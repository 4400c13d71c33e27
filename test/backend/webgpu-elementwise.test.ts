// The webgpu elementwise, reduction, softmax, conv and optimizer kernels against the js
// reference kernels, on random shapes (odd sizes, size 1, broadcasting, sizes that are not
// multiples of the workgroup size).
import { describe, expect, it } from 'vitest';
import { BINARY_OPS, UNARY_OPS, type ReduceOp, type UnaryOp } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { Generator } from '../../src/random.js';
import { expectClose } from '../helpers.js';
import { broadcastStrides, contiguousStrides, randomF32, readAll, requireBackend, setupWebGPU, shouldSkip, underBothPolicies } from './webgpu-helpers.js';

const setup = await setupWebGPU();

describe.skipIf(shouldSkip(setup))('webgpu elementwise kernels vs js', () => {
  const gpu = () => requireBackend(setup);
  const gen = new Generator(1234);

  it('has an adapter', () => {
    expect(gpu().name).toBe('webgpu');
    expect(gpu().readSync(gpu().alloc('float32', 1), 'float32', 1)).toBeNull();
  });

  it('fill: sizes around the workgroup size', async () => {
    for (const n of [1, 7, 255, 256, 257, 1000]) {
      const s = gpu().alloc('float32', n);
      gpu().fill(s, n, -2.5);
      expect(Array.from(await readAll(gpu(), s))).toEqual(new Array(n).fill(-2.5));
      gpu().free(s);
    }
  });

  // Inputs per op: inside each op's domain, and crossing the points where formulas switch.
  const domain: Partial<Record<UnaryOp, [number, number]>> = {
    log: [0.01, 10], sqrt: [0, 10], reciprocal: [0.2, 5], powScalar: [0.1, 3],
  };
  const params: Partial<Record<UnaryOp, { alpha?: number; beta?: number }>> = {
    leakyRelu: { alpha: 0.1 }, elu: { alpha: 1.3 }, affine: { alpha: -1.5, beta: 0.25 },
    powScalar: { alpha: 2.5 }, clamp: { alpha: -0.5, beta: 0.75 },
  };
  for (const op of UNARY_OPS) {
    it(`unary ${op}`, async () => {
      const n = 1031;
      const [lo, hi] = domain[op] ?? [-6, 6];
      const x = randomF32(gen, n, lo, hi);
      if (!domain[op]) x.set([0, -0, 1e-4, -1e-4, 20, -20, 88, -88].slice(0, n));
      const p = params[op] ?? {};
      const expected = new Float32Array(n);
      jsBackend.unary(op, x, expected, n, p);
      const xs = gpu().upload(x);
      const out = gpu().alloc('float32', n);
      gpu().unary(op, xs, out, n, p);
      expectClose(await readAll(gpu(), out), expected, 2e-5, 2e-6, `unary ${op}`);
      gpu().free(xs); gpu().free(out);
    });
  }

  it('unary over a prefix (size < storage) uses the scalar path and leaves the rest of out alone', async () => {
    const x = randomF32(gen, 50), init = randomF32(gen, 50);
    const expected = init.slice();
    jsBackend.unary('exp', x, expected, 37, {});
    const out = gpu().upload(init);
    gpu().unary('exp', gpu().upload(x), out, 37, {});
    expectClose(await readAll(gpu(), out), expected, 1e-6, 0, 'unary prefix');
  });

  it('unary powScalar with integer exponents of negative bases', async () => {
    for (const alpha of [2, 3, -1, 0.5]) {
      const x = Float32Array.from([-3, -1.5, -0.5, 0.5, 2, 4]);
      const expected = new Float32Array(x.length);
      jsBackend.unary('powScalar', x, expected, x.length, { alpha });
      const xs = gpu().upload(x);
      const out = gpu().alloc('float32', x.length);
      gpu().unary('powScalar', xs, out, x.length, { alpha });
      expectClose(await readAll(gpu(), out), expected, 1e-5, 1e-6, `powScalar ${alpha}`);
    }
  });

  const shapes: [number[], number[]][] = [
    [[5, 7], [5, 7]], [[3, 1, 5], [1, 4, 5]], [[1], [6, 9]], [[2, 3, 1, 4], [3, 5, 1]], [[1, 1], [1, 1]],
    [[300], [1]], [[2, 1, 3, 1, 2, 1], [1, 2, 1, 3, 1, 5]], [[], [4, 3]],
  ];
  for (const op of BINARY_OPS) {
    it(`binary ${op} with broadcasting`, () => underBothPolicies(gpu(), async () => {
      for (const [sa, sb] of shapes) {
        const rank = Math.max(sa.length, sb.length);
        const pad = (s: number[]) => [...new Array(rank - s.length).fill(1), ...s];
        const outShape = pad(sa).map((d, i) => Math.max(d, pad(sb)[i]));
        const size = outShape.reduce((p, d) => p * d, 1);
        const lo = op === 'pow' ? 0.1 : -3;
        // Small integers make comparisons (eq, ge) hit ties.
        const a = op === 'pow' ? randomF32(gen, sa.reduce((p, d) => p * d, 1), lo, 3)
          : Float32Array.from(randomF32(gen, sa.reduce((p, d) => p * d, 1), -3, 3), Math.round);
        const b = op === 'pow' ? randomF32(gen, sb.reduce((p, d) => p * d, 1), -2, 2)
          : Float32Array.from(randomF32(gen, sb.reduce((p, d) => p * d, 1), -3, 3), (v) => Math.round(v) || 0.5);
        const as = broadcastStrides(sa, outShape), bs = broadcastStrides(sb, outShape);
        const expected = new Float32Array(size);
        jsBackend.binary(op, a, as, b, bs, expected, outShape);
        const ga = gpu().upload(a), gb = gpu().upload(b), out = gpu().alloc('float32', size);
        gpu().binary(op, ga, as, gb, bs, out, outShape);
        expectClose(await readAll(gpu(), out), expected, 1e-5, 1e-6, `binary ${op} [${sa}]·[${sb}]`);
        gpu().free(ga); gpu().free(gb); gpu().free(out);
      }
    }));
  }

  it('binary with the same storage on both sides (x·x)', async () => {
    const x = randomF32(gen, 77);
    const gx = gpu().upload(x);
    const out = gpu().alloc('float32', 77);
    gpu().binary('mul', gx, [1], gx, [1], out, [77]);
    expectClose(await readAll(gpu(), out), x.map((v) => v * v), 1e-6, 0, 'x·x');
  });

  it('where with broadcasting', () => underBothPolicies(gpu(), async () => {
    const outShape = [4, 3, 5];
    const cond = Float32Array.from(randomF32(gen, 15), (v) => (v > 0 ? 1 : 0));
    const a = randomF32(gen, 4 * 3 * 5), b = randomF32(gen, 4);
    const cs = broadcastStrides([3, 5], outShape), as = contiguousStrides(outShape), bs = broadcastStrides([4, 1, 1], outShape);
    const expected = new Float32Array(60);
    jsBackend.where(cond, cs, a, as, b, bs, expected, outShape);
    const out = gpu().alloc('float32', 60);
    gpu().where(gpu().upload(cond), cs, gpu().upload(a), as, gpu().upload(b), bs, out, outShape);
    expect(Array.from(await readAll(gpu(), out))).toEqual(Array.from(expected));
  }));

  it('copy: transpose, slice with offsets, expand, contiguous block, in-place alias', () => underBothPolicies(gpu(), async () => {
    const src = randomF32(gen, 2 * 3 * 4 * 5);
    const gsrc = gpu().upload(src);
    const cases: { so: number; ss: number[]; doff: number; ds: number[]; shape: number[]; dstSize: number }[] = [
      { so: 0, ss: [60, 1, 5, 20], doff: 0, ds: contiguousStrides([2, 5, 4, 3]), shape: [2, 5, 4, 3], dstSize: 120 },  // permute
      { so: 21, ss: [20, 5, 1], doff: 3, ds: [6, 2, 1], shape: [2, 3, 2], dstSize: 15 + 3 },                          // slice into padded
      { so: 7, ss: [0, 1], doff: 0, ds: [9, 1], shape: [4, 9], dstSize: 36 },                                          // expand
      { so: 10, ss: [5, 1], doff: 2, ds: [5, 1], shape: [6, 5], dstSize: 40 },                                         // contiguous block
    ];
    for (const c of cases) {
      const init = randomF32(gen, c.dstSize);
      const expected = init.slice();
      jsBackend.copy(src, c.so, c.ss, expected, c.doff, c.ds, c.shape);
      const dst = gpu().upload(init);
      gpu().copy(gsrc, c.so, c.ss, dst, c.doff, c.ds, c.shape);
      expect(Array.from(await readAll(gpu(), dst))).toEqual(Array.from(expected));
    }
    // src and dst the same storage: rows 0..1 copied onto rows 2..3 of a [4, 5] matrix.
    const m = randomF32(gen, 20);
    const expected = m.slice();
    jsBackend.copy(m.slice(), 0, [5, 1], expected, 10, [5, 1], [2, 5]);
    const gm = gpu().upload(m);
    gpu().copy(gm, 0, [5, 1], gm, 10, [5, 1], [2, 5]);
    expect(Array.from(await readAll(gpu(), gm))).toEqual(Array.from(expected));
  }));

  it('copy merges axes; a rank above 8 that cannot merge is rejected, naming the op and shape', async () => {
    // Rank 9, all axes of size 2, reversed order (a full permutation): nothing merges.
    const shape = new Array(9).fill(2);
    const contiguous = contiguousStrides(shape);
    const reversed = [...contiguous].reverse();
    const s = gpu().alloc('float32', 512), d = gpu().alloc('float32', 512);
    expect(() => gpu().copy(s, 0, reversed, d, 0, contiguous, shape)).toThrow(/webgpu copy: rank 9 after merging/);
    // Rank 10 but contiguous on both sides: merges to rank 1 and runs.
    const shape10 = [2, 1, 3, 2, 1, 2, 2, 1, 3, 2];
    const x = randomF32(gen, 288);
    const gx = gpu().upload(x), gy = gpu().alloc('float32', 288);
    const st = contiguousStrides(shape10);
    gpu().copy(gx, 0, st, gy, 0, st.map((v) => v), shape10);
    expect(Array.from(await readAll(gpu(), gy))).toEqual(Array.from(x));
  });

  it('binary over a rank-10 broadcast that merges below 8', async () => {
    const outShape = [2, 3, 1, 2, 2, 1, 2, 3, 2, 2];
    const size = outShape.reduce((p, d) => p * d, 1);
    const a = randomF32(gen, size), b = randomF32(gen, 2);
    const as = contiguousStrides(outShape), bs = broadcastStrides([2], outShape);
    const expected = new Float32Array(size);
    jsBackend.binary('sub', a, as, b, bs, expected, outShape);
    const out = gpu().alloc('float32', size);
    gpu().binary('sub', gpu().upload(a), as, gpu().upload(b), bs, out, outShape);
    expect(Array.from(await readAll(gpu(), out))).toEqual(Array.from(expected));
  });

  const reduceOps: ReduceOp[] = ['sum', 'max', 'min', 'argmax', 'argmin'];
  // [outer, size, inner]: serial (short rows or many outputs), tree (long rows), and two-pass
  // (few outputs, long rows: 8192+ elements on the CPU plan, 32768+ on the GPU plan).
  const reduceShapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [2, 1000, 3], [1, 4097, 1], [9000, 70, 1], [4, 300, 1],
    [1, 7, 1], [1, 20000, 1], [3, 9000, 2], [1, 40000, 1], [2, 33000, 2]];
  for (const op of reduceOps) {
    it(`reduce ${op} (GPU and CPU plans: tree, serial, two-pass)`, () => underBothPolicies(gpu(), async () => {
      for (const [outer, size, inner] of reduceShapes) {
        const n = outer * size * inner;
        // Rounded values make ties, to check that the first extreme index wins.
        const x = op.startsWith('arg') ? Float32Array.from(randomF32(gen, n, -20, 20), Math.round) : randomF32(gen, n, -2, 2);
        const expected = new Float32Array(outer * inner);
        jsBackend.reduce(op, x, expected, outer, size, inner);
        const gx = gpu().upload(x), out = gpu().alloc('float32', outer * inner);
        gpu().reduce(op, gx, out, outer, size, inner);
        expectClose(await readAll(gpu(), out), expected, 1e-5, op === 'sum' ? 1e-5 * Math.sqrt(size) : 0, `reduce ${op} [${outer},${size},${inner}]`);
        gpu().free(gx); gpu().free(out);
      }
    }));
  }

  for (const log of [false, true]) {
    it(`${log ? 'log-' : ''}softmax, stable for large inputs`, () => underBothPolicies(gpu(), async () => {
      for (const [outer, size, inner] of [[1, 1, 1], [3, 10, 1], [2, 300, 3], [5, 1000, 1], [9000, 70, 1]] as [number, number, number][]) {
        const x = randomF32(gen, outer * size * inner, -10, 10);
        x[0] = 500;   // would overflow exp without the max shift
        const expected = new Float32Array(x.length);
        jsBackend.softmax(x, expected, outer, size, inner, log);
        const gx = gpu().upload(x), out = gpu().alloc('float32', x.length);
        gpu().softmax(gx, out, outer, size, inner, log);
        expectClose(await readAll(gpu(), out), expected, 1e-5, 1e-6, `softmax [${outer},${size},${inner}]`);
        gpu().free(gx); gpu().free(out);
      }
    }));
  }

  it('im2col and col2im: stride, padding, dilation, odd sizes', async () => {
    const geoms = [
      { n: 2, c: 3, h: 7, w: 5, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 },
      { n: 1, c: 2, h: 9, w: 8, kh: 3, kw: 2, sh: 2, sw: 3, ph: 2, pw: 0, dh: 2, dw: 1 },
      { n: 3, c: 1, h: 1, w: 1, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1 },
    ];
    for (const g0 of geoms) {
      const oh = Math.floor((g0.h + 2 * g0.ph - g0.dh * (g0.kh - 1) - 1) / g0.sh) + 1;
      const ow = Math.floor((g0.w + 2 * g0.pw - g0.dw * (g0.kw - 1) - 1) / g0.sw) + 1;
      const g = { ...g0, oh, ow };
      const x = randomF32(gen, g.n * g.c * g.h * g.w);
      const colsSize = g.n * g.c * g.kh * g.kw * oh * ow;
      const cols = new Float32Array(colsSize);
      jsBackend.im2col(x, cols, g);
      const gcols = gpu().alloc('float32', colsSize);
      gpu().im2col(gpu().upload(x), gcols, g);
      expect(Array.from(await readAll(gpu(), gcols))).toEqual(Array.from(cols));
      const dcols = randomF32(gen, colsSize);
      const back = new Float32Array(x.length);
      jsBackend.col2im(dcols, back, g);
      const gback = gpu().upload(randomF32(gen, x.length));   // garbage: col2im overwrites
      gpu().col2im(gpu().upload(dcols), gback, g);
      expectClose(await readAll(gpu(), gback), back, 1e-5, 1e-6, 'col2im');
    }
  });

  it('sgdStep: plain, momentum (first and later steps), nesterov, weight decay, maximize', async () => {
    const n = 517;
    for (const p of [
      { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, firstStep: true },
      { lr: 0.05, momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 0.01, firstStep: true },
      { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.01, firstStep: false },
      { lr: 0.05, momentum: 0.5, dampening: 0, nesterov: false, weightDecay: 0, firstStep: false, maximize: true },
    ]) {
      const param = randomF32(gen, n), grad = randomF32(gen, n), buf = randomF32(gen, n);
      const gp = gpu().upload(param), gg = gpu().upload(grad), gb = gpu().upload(buf);
      jsBackend.sgdStep(param, grad, buf, n, p);
      gpu().sgdStep(gp, gg, p.momentum ? gb : null, n, p);
      expectClose(await readAll(gpu(), gp), param, 1e-5, 1e-6, 'sgd param');
      if (p.momentum) expectClose(await readAll(gpu(), gb), buf, 1e-5, 1e-6, 'sgd momentum buffer');
    }
  });

  it('adamStep: Adam with L2, AdamW, AMSGrad, over several steps', async () => {
    const n = 300;
    for (const base of [
      { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: false },
      { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.05, decoupled: true },
      { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: true },
    ]) {
      const param = randomF32(gen, n), m = new Float32Array(n), v = new Float32Array(n), vMax = new Float32Array(n);
      const gp = gpu().upload(param), gm = gpu().upload(m), gv = gpu().upload(v), gvm = gpu().upload(vMax);
      for (let step = 1; step <= 4; step++) {
        const grad = randomF32(gen, n);
        const p = { ...base, step };
        jsBackend.adamStep(param, grad, m, v, base.amsgrad ? vMax : null, n, p);
        gpu().adamStep(gp, gpu().upload(grad), gm, gv, base.amsgrad ? gvm : null, n, p);
      }
      expectClose(await readAll(gpu(), gp), param, 1e-5, 1e-6, 'adam param');
      expectClose(await readAll(gpu(), gm), m, 5e-6, 1e-7, 'adam m');
      expectClose(await readAll(gpu(), gv), v, 5e-6, 1e-8, 'adam v');
    }
  });
});
