// The webgpu activationGrad kernel (shaders/activation_grad.wgsl) against the js kernel: each
// activation, sizes around the workgroup size and not multiples of 4 (the vec4 path's tail),
// a prefix of a larger storage (the scalar path), and out aliasing g.
import { describe, expect, it } from 'vitest';
import type { ActivationGradOp } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { Generator } from '../../src/random.js';
import { expectClose } from '../helpers.js';
import { randomF32, readAll, requireBackend, setupWebGPU, shouldSkip } from './webgpu-helpers.js';

const setup = await setupWebGPU();
const ACTS: ActivationGradOp[] = ['relu', 'sigmoid', 'tanh'];

// The shader works in float32 (a rounding per step) where js rounds its double result once:
// y(1 − y) and g·(…) add ~2 ulps; 1 − y² cancels near |y| = 1 and loses up to U·y² absolutely.
// |g| ≤ 4 here, so 4·2^-24·4 < 1e-6 absolute covers the cancellation.
const RTOL = 1e-6, ATOL = 1e-6;

describe.skipIf(shouldSkip(setup))('webgpu activationGrad vs js', () => {
  const gpu = () => requireBackend(setup);
  const gen = new Generator(4321);

  function yFor(act: ActivationGradOp, n: number): Float32Array {
    const y = act === 'sigmoid' ? randomF32(gen, n, 0, 1) : act === 'tanh' ? randomF32(gen, n, -1, 1) : randomF32(gen, n, -2, 2);
    for (let i = 0; i < n; i += 13) y[i] = 0;   // relu's kink: derivative 0 at y = 0
    if (n > 3) { y[1] = 1; y[2] = -0; }
    return y;
  }

  for (const act of ACTS) {
    it(`${act}: sizes 1 … 1031`, async () => {
      for (const n of [1, 3, 4, 5, 255, 256, 257, 1031]) {
        const y = yFor(act, n), g = randomF32(gen, n, -4, 4);
        const want = new Float32Array(n);
        jsBackend.activationGrad(act, y, g, want, n);
        const ys = gpu().upload(y), gs = gpu().upload(g), out = gpu().alloc('float32', n);
        gpu().activationGrad(act, ys, gs, out, n);
        const got = await readAll(gpu(), out);
        expectClose(got, want, RTOL, ATOL, `${act} n=${n}`);
        if (act === 'relu') for (let i = 0; i < n; i++) if (y[i] <= 0) expect(got[i] === 0).toBe(true);
        gpu().free(ys); gpu().free(gs); gpu().free(out);
      }
    });
  }

  it('over a prefix (size < storage) leaves the rest of out alone, and runs in place (out = g)', async () => {
    const n = 50, size = 37;
    const y = yFor('sigmoid', n), g = randomF32(gen, n, -1, 1), init = randomF32(gen, n);
    const want = init.slice();
    jsBackend.activationGrad('sigmoid', y, g, want, size);
    const ys = gpu().upload(y), gs = gpu().upload(g), out = gpu().upload(init);
    gpu().activationGrad('sigmoid', ys, gs, out, size);
    expectClose(await readAll(gpu(), out), want, RTOL, ATOL, 'prefix');

    const wantInPlace = new Float32Array(n);
    jsBackend.activationGrad('tanh', y, g, wantInPlace, n);
    gpu().activationGrad('tanh', ys, gs, gs, n);
    expectClose(await readAll(gpu(), gs), wantInPlace, RTOL, ATOL, 'in place');
    gpu().free(ys); gpu().free(gs); gpu().free(out);
  });

  it('rejects short storage and unknown activations, naming the kernel', () => {
    const a = gpu().alloc('float32', 8), b = gpu().alloc('float32', 4);
    expect(() => gpu().activationGrad('relu', a, b, a, 8)).toThrow(/webgpu activationGrad\(relu\): g has 4 elements, expected 8/);
    expect(() => gpu().activationGrad('elu' as ActivationGradOp, a, a, a, 8)).toThrow(/webgpu activationGrad: unknown activation 'elu'/);
    gpu().free(a); gpu().free(b);
  });
});
