// Native im2col / col2im and the fused optimizer steps against the js backend, on every ISA
// path: strides, padding, dilation, 1×1 kernels; SGD (momentum, dampening, Nesterov, weight
// decay, maximize) and Adam/AdamW (amsgrad) over several steps, sizes off the vector width, bit-equal
// to js (both compute in float32, one rounding per operation, in the same order).
import { describe, expect, it } from 'vitest';
import type { AdamParams, Conv2dGeometry, SgdParams } from '../../src/backend/backend.js';
import { Generator, expectClose, isasHere, js, nativeOrThrow, uniform, useIsa } from './native-helpers.js';
import { ADAM_CONFIGS, SGD_CONFIGS, subnormalState } from './optim-configs.js';

const native = nativeOrThrow();

function geometry(n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number,
  ph: number, pw: number, dh: number, dw: number): Conv2dGeometry {
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  return { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow };
}

const GEOMETRIES: Conv2dGeometry[] = [
  geometry(2, 3, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1),
  geometry(1, 1, 5, 5, 1, 1, 1, 1, 0, 0, 1, 1),
  geometry(2, 2, 8, 7, 3, 2, 2, 3, 1, 2, 1, 1),
  geometry(1, 4, 9, 9, 3, 3, 1, 2, 2, 0, 2, 2),
  geometry(3, 2, 4, 4, 5, 5, 1, 1, 2, 2, 1, 1),   // kernel wider than the image
  geometry(16, 8, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1), // big enough for 2 threads
];

describe.each(isasHere())('native conv and optimizers on %s', (isa) => {
  it('im2col and col2im over strides, padding and dilation', () => {
    const gen = new Generator(41);
    for (const threads of [1, 2]) {
      useIsa(isa, threads);
      for (const g of GEOMETRIES) {
        const label = JSON.stringify(g);
        const x = uniform(gen, g.n * g.c * g.h * g.w);
        const colsSize = g.n * g.c * g.kh * g.kw * g.oh * g.ow;
        const got = new Float32Array(colsSize).fill(12345), want = new Float32Array(colsSize);
        native.im2col(x, got, g);
        js.im2col(x, want, g);
        expectClose(got, want, 0, 0, `im2col ${label}`);  // a pure gather: exact
        const cols = uniform(gen, colsSize);
        const back = new Float32Array(x.length).fill(12345), backJs = new Float32Array(x.length);
        native.col2im(cols, back, g);
        js.col2im(cols, backJs, g);
        // Both add the patches of a channel in the same order in float32: equal.
        expectClose(back, backJs, 0, 0, `col2im ${label}`);
      }
    }
    useIsa(isa, 1);
  });

  it('SGD in every configuration over three steps', () => {
    const gen = new Generator(42);
    const configs = SGD_CONFIGS;
    for (const threads of [1, 2]) {
      useIsa(isa, threads);
      for (const cfg of configs) for (const n of [1, 7, 37, 70_001]) {
        const p0 = uniform(gen, n), buf0 = new Float32Array(n);
        const pN = p0.slice(), pJ = p0.slice(), bN = buf0.slice(), bJ = buf0.slice();
        for (let step = 0; step < 3; step++) {
          const grad = uniform(gen, n);
          const p = { ...cfg, firstStep: step === 0 };
          native.sgdStep(pN, grad, cfg.momentum ? bN : null, n, p);
          js.sgdStep(pJ, grad, cfg.momentum ? bJ : null, n, p);
        }
        // The same float32 operations in the same order, one rounding each (no FMA): bit-equal.
        expectClose(pN, pJ, 0, 0, `sgd ${JSON.stringify(cfg)} n=${n} param`);
        expectClose(bN, bJ, 0, 0, `sgd ${JSON.stringify(cfg)} n=${n} buffer`);
      }
    }
    useIsa(isa, 1);
  });

  it('Adam, AdamW and amsgrad over four steps', () => {
    const gen = new Generator(43);
    const configs = ADAM_CONFIGS;
    for (const threads of [1, 2]) {
      useIsa(isa, threads);
      for (const cfg of configs) for (const n of [1, 9, 37, 70_001]) {
        const p0 = uniform(gen, n);
        const state = () => ({ p: p0.slice(), m: new Float32Array(n), v: new Float32Array(n), vMax: new Float32Array(n) });
        const N = state(), J = state();
        for (let step = 1; step <= 4; step++) {
          const grad = uniform(gen, n, -2, 2);
          const p = { ...cfg, step };
          native.adamStep(N.p, grad, N.m, N.v, cfg.amsgrad ? N.vMax : null, n, p);
          js.adamStep(J.p, grad, J.m, J.v, cfg.amsgrad ? J.vMax : null, n, p);
        }
        const label = `adam ${JSON.stringify(cfg)} n=${n}`;
        expectClose(N.p, J.p, 0, 0, `${label} param`);
        expectClose(N.m, J.m, 0, 0, `${label} m`);
        expectClose(N.v, J.v, 0, 0, `${label} v`);
        expectClose(N.vMax, J.vMax, 0, 0, `${label} vMax`);
      }
    }
    useIsa(isa, 1);
  });

  it('adamSteps: several parameters in one call equal js stepping each alone, and reject mixed amsgrad', () => {
    const gen = new Generator(45);
    // Off the vector width; the group's 110,112 elements are split as one array, so chunk edges
    // fall inside slots and between them (2 and 3 threads).
    const sizes = [1, 9, 64, 37, 40_000, 70_001];
    for (const threads of [1, 2, 3]) {
      useIsa(isa, threads);
      for (const cfg of ADAM_CONFIGS) {
        const slots = (from: Float32Array[]) => from.map((p0) => ({ param: p0.slice(), m: new Float32Array(p0.length), v: new Float32Array(p0.length), vMax: new Float32Array(p0.length) }));
        const p0s = sizes.map((n) => uniform(gen, n));
        const N = slots(p0s), J = slots(p0s);
        for (let step = 1; step <= 3; step++) {
          const grads = sizes.map((n) => uniform(gen, n, -2, 2));
          const p = { ...cfg, step };
          native.adamSteps!(N.map((s, i) => ({ param: s.param, grad: grads[i], m: s.m, v: s.v, vMax: cfg.amsgrad ? s.vMax : null, size: sizes[i] })), p);
          J.forEach((s, i) => js.adamStep(s.param, grads[i], s.m, s.v, cfg.amsgrad ? s.vMax : null, sizes[i], p));
        }
        N.forEach((s, i) => {
          const label = `adamSteps ${JSON.stringify(cfg)} slot ${i} (n=${sizes[i]}), ${threads} threads`;
          expectClose(s.param, J[i].param, 0, 0, `${label} param`);
          expectClose(s.m, J[i].m, 0, 0, `${label} m`);
          expectClose(s.v, J[i].v, 0, 0, `${label} v`);
          expectClose(s.vMax, J[i].vMax, 0, 0, `${label} vMax`);
        });
      }
    }
    useIsa(isa, 1);
    const f = () => new Float32Array(4);
    const cfg = { ...ADAM_CONFIGS[0], step: 1 };
    expect(() => native.adamSteps!([{ param: f(), grad: f(), m: f(), v: f(), vMax: f(), size: 4 }, { param: f(), grad: f(), m: f(), v: f(), vMax: null, size: 4 }], cfg)).toThrow(/vMax/);
    expect(() => native.adamSteps!([{ param: f(), grad: new Float32Array(3), m: f(), v: f(), vMax: null, size: 4 }], cfg)).toThrow(/adamStep: grad has 3 elements/);
  });

  it('Adam and SGD with momenta decayed into the subnormals (a gradient of 0 for many steps): bit-equal to js', () => {
    // Vectors with such a lane take simd_optim.inc's double lanes (tinyLanes); the first 64 elements
    // hold none, so the float lanes run beside them. 5 steps, as the state sits there step after step.
    useIsa(isa, 1);
    const { n, p0, g0, m0, v0 } = subnormalState();
    for (const cfg of [
      { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false },
      { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, decoupled: true, amsgrad: true },
      { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 1e-2, decoupled: false },
    ] as Omit<AdamParams, 'step'>[]) {
      const state = () => ({ p: p0.slice(), m: m0.slice(), v: v0.slice(), vMax: v0.slice() });
      const N = state(), J = state();
      for (let step = 1; step <= 5; step++) {
        native.adamStep(N.p, g0, N.m, N.v, cfg.amsgrad ? N.vMax : null, n, { ...cfg, step: step + 900 });
        js.adamStep(J.p, g0, J.m, J.v, cfg.amsgrad ? J.vMax : null, n, { ...cfg, step: step + 900 });
      }
      const label = `adam subnormal ${JSON.stringify(cfg)}`;
      for (const k of ['p', 'm', 'v', 'vMax'] as const) expectClose(N[k], J[k], 0, 0, `${label} ${k}`);
      // (With L2 decay the gradient is g + wd·p, no longer 0: the momenta leave the subnormals.)
      if (cfg.decoupled || cfg.weightDecay === 0) expect(J.m.some((x) => x !== 0 && Math.abs(x) < 2 ** -126), `${label}: some m is still subnormal`).toBe(true);
    }
    const sgd: Omit<SgdParams, 'firstStep'> = { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 };
    const pN = p0.slice(), pJ = p0.slice(), bN = m0.slice(), bJ = m0.slice();
    for (let step = 0; step < 5; step++) {
      native.sgdStep(pN, g0, bN, n, { ...sgd, firstStep: false });
      js.sgdStep(pJ, g0, bJ, n, { ...sgd, firstStep: false });
    }
    expectClose(pN, pJ, 0, 0, 'sgd subnormal param');
    expectClose(bN, bJ, 0, 0, 'sgd subnormal buffer');
    expect(bJ.some((x) => x !== 0 && Math.abs(x) < 2 ** -126), 'sgd: some buffer is still subnormal').toBe(true);
  });

  it('Adam, AdamW and SGD on special values: subnormal and overflowing g·g, zeros, NaN, ∞', () => {
    // The float32 lanes must round like the js loop at the edges too: no flush-to-zero of the
    // subnormal (1−β2)·g·g of tiny gradients, inf from huge ones, NaN propagation, max() with NaN.
    const special = [0, -0, 1e-20, -3e-21, 1e-30, 1e-39, 2e19, -1e30, 3e38, NaN, Infinity, -Infinity, 1, -1, 1e-8, 5e-24];
    const n = 3 * special.length + 5;   // off the vector width
    const gen = new Generator(44);
    const grad = uniform(gen, n, -2, 2), p0 = uniform(gen, n);
    for (let i = 0; i < n; i++) if (i % 3 !== 2) grad[i] = special[(i * 7) % special.length];
    p0[0] = 1e-40; p0[1] = -0; p0[4] = 3e38;
    for (const cfg of [
      { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: true },
      { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 1e-2, decoupled: false },
      { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, decoupled: true, amsgrad: true },
    ] as Omit<AdamParams, 'step'>[]) {
      const state = () => ({ p: p0.slice(), m: new Float32Array(n), v: new Float32Array(n), vMax: new Float32Array(n) });
      const N = state(), J = state();
      for (let step = 1; step <= 3; step++) {
        const g = grad.map((x, i) => (step === 2 && i % 5 === 0 ? -x : x));
        native.adamStep(N.p, g, N.m, N.v, cfg.amsgrad ? N.vMax : null, n, { ...cfg, step });
        js.adamStep(J.p, g, J.m, J.v, cfg.amsgrad ? J.vMax : null, n, { ...cfg, step });
      }
      const label = `adam special ${JSON.stringify(cfg)}`;
      expectClose(N.p, J.p, 0, 0, `${label} param`);
      expectClose(N.m, J.m, 0, 0, `${label} m`);
      expectClose(N.v, J.v, 0, 0, `${label} v`);
      expectClose(N.vMax, J.vMax, 0, 0, `${label} vMax`);
    }
    const sgd: Omit<SgdParams, 'firstStep'> = { lr: 0.05, momentum: 0.9, dampening: 0.1, nesterov: true, weightDecay: 1e-2 };
    const pN = p0.slice(), pJ = p0.slice(), bN = new Float32Array(n), bJ = new Float32Array(n);
    for (let step = 0; step < 3; step++) {
      native.sgdStep(pN, grad, bN, n, { ...sgd, firstStep: step === 0 });
      js.sgdStep(pJ, grad, bJ, n, { ...sgd, firstStep: step === 0 });
    }
    expectClose(pN, pJ, 0, 0, 'sgd special param');
    expectClose(bN, bJ, 0, 0, 'sgd special buffer');
  });
});
