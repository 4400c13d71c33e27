// The wasm module's Adam / AdamW / amsgrad step (simd_optim.inc through clang's wasm SIMD, whose
// square root is one f32x4.sqrt there) against the js backend over four steps, on sizes off the
// vector width, with the edge values a step meets (zero, NaN and ±∞ gradients): bit-equal, as
// native is (both compute in float32, one rounding per operation, in the same order, no FMA).
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { Generator, expectClose, js, uniform } from './native-helpers.js';
import { ADAM_CONFIGS, subnormalState } from './optim-configs.js';
import { probeWasm, probedBackend } from '../backend-probe.js';

const wasm = probeWasm();

describe('wasm Adam step against js', () => {
  it.skipIf(wasm.skip)('Adam, AdamW and amsgrad over four steps, bit-equal, edge values included', () => {
    const b = probedBackend(wasm, 'wasm') as Backend<Float32Array>;
    const gen = new Generator(47);
    for (const cfg of ADAM_CONFIGS) for (const n of [1, 3, 9, 37, 70_001]) {
      const p0 = uniform(gen, n);
      const J = { p: p0.slice(), m: new Float32Array(n), v: new Float32Array(n), vMax: new Float32Array(n) };
      const W = { p: b.upload(p0), m: b.upload(J.m), v: b.upload(J.v), vMax: b.upload(J.vMax) };
      for (let step = 1; step <= 4; step++) {
        const grad = uniform(gen, n, -2, 2);
        if (step === 2) grad.set([0, NaN, Infinity, -Infinity, 1e-30].slice(0, n));
        const g = b.upload(grad);
        const p = { ...cfg, step };
        b.adamStep(W.p, g, W.m, W.v, cfg.amsgrad ? W.vMax : null, n, p);
        js.adamStep(J.p, grad, J.m, J.v, cfg.amsgrad ? J.vMax : null, n, p);
        b.free(g);
      }
      const label = `wasm adam ${JSON.stringify(cfg)} n=${n}`;
      for (const k of ['p', 'm', 'v', 'vMax'] as const) {
        expectClose(Float32Array.from(W[k]), J[k], 0, 0, `${label} ${k}`);
        b.free(W[k]);
      }
    }
  });

  it.skipIf(wasm.skip)('momenta decayed into the subnormals (simd_optim.inc\'s double lanes): bit-equal to js over five steps', () => {
    const b = probedBackend(wasm, 'wasm') as Backend<Float32Array>;
    const { n, p0, g0, m0, v0 } = subnormalState();
    for (const cfg of ADAM_CONFIGS) {
      const J = { p: p0.slice(), m: m0.slice(), v: v0.slice(), vMax: v0.slice() };
      const W = { p: b.upload(p0), m: b.upload(m0), v: b.upload(v0), vMax: b.upload(v0) };
      const g = b.upload(g0);
      for (let step = 1; step <= 5; step++) {
        b.adamStep(W.p, g, W.m, W.v, cfg.amsgrad ? W.vMax : null, n, { ...cfg, step: step + 900 });
        js.adamStep(J.p, g0, J.m, J.v, cfg.amsgrad ? J.vMax : null, n, { ...cfg, step: step + 900 });
      }
      b.free(g);
      const label = `wasm adam subnormal ${JSON.stringify(cfg)}`;
      for (const k of ['p', 'm', 'v', 'vMax'] as const) {
        expectClose(Float32Array.from(W[k]), J[k], 0, 0, `${label} ${k}`);
        b.free(W[k]);
      }
      if (cfg.decoupled || cfg.weightDecay === 0) expect(J.m.some((x) => x !== 0 && Math.abs(x) < 2 ** -126), `${label}: some m is still subnormal`).toBe(true);
    }
  });
});
