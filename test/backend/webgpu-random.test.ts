// The webgpu random kernel (shaders/random.wgsl) against the js reference (src/backend/philox.ts):
// the Philox words bit for bit, uniform and Bernoulli values exactly, normal values within the
// float32 error of the shader's own log and sin/cos (NORMAL_TOL below), on the cases of
// random-helpers.ts (sizes 1 … 8195, counters that carry into the high word, extreme keys).
import { describe, expect, it } from 'vitest';
import type { RandomKind, RandomParams } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import type { WebGPUBackend } from '../../src/backend/webgpu/index.js';
import { Generator } from '../../src/random.js';
import { rand, randn } from '../../src/index.js';
import { BERNOULLI, COUNTERS, draw, expectSame, KEYS, NORMAL, SIZES } from './random-helpers.js';
import { requireBackend, setupWebGPU, shouldSkip } from './webgpu-helpers.js';

const setup = await setupWebGPU();
const js = jsBackend as unknown as Parameters<typeof draw>[0];

// The shader computes Box–Muller in float32: ln by an atanh series, sin/cos by Taylor series
// after an exact quarter-turn reduction, each within a few float32 roundings, where js rounds its
// double result once. |z − z_js| ≤ NORMAL_TOL·(|mean| + std·max(1, r)), r = √(−2 ln u1) ≤ 5.8.
const NORMAL_TOL = 2 ** -21;   // measured worst on Mesa's lavapipe: 2^-22.0

async function gpuDraw(gpu: WebGPUBackend, kind: RandomKind, size: number, key: [number, number], counter: number,
  params: RandomParams = {}): Promise<Float32Array> {
  const out = gpu.upload(new Float32Array(size + 3).fill(-7));
  gpu.random!(kind, out, size, key, counter, params);
  const all = (await gpu.read(out, 'float32', size + 3)) as Float32Array;
  gpu.free(out);
  expect([all[size], all[size + 1], all[size + 2]], `webgpu ${kind} wrote past size ${size}`).toEqual([-7, -7, -7]);
  return all.slice(0, size);
}

describe.skipIf(shouldSkip(setup))('webgpu random kernel vs the js reference', () => {
  const gpu = () => requireBackend(setup);

  it('words bit for bit, uniform and Bernoulli exactly, normal within NORMAL_TOL', async () => {
    let worst = 0;
    for (const size of SIZES) {
      for (const counter of COUNTERS) {
        for (const key of KEYS) {
          const what = `size ${size} counter ${counter} key ${key}`;
          const bits = await gpuDraw(gpu(), 'bits', size, key, counter);
          expectSame(new Uint32Array(bits.buffer), new Uint32Array(draw(js, 'bits', size, key, counter).slice().buffer), `bits ${what}`);
          expectSame(await gpuDraw(gpu(), 'uniform', size, key, counter), draw(js, 'uniform', size, key, counter), `uniform ${what}`);
          for (const p of BERNOULLI) {
            expectSame(await gpuDraw(gpu(), 'bernoulli', size, key, counter, p), draw(js, 'bernoulli', size, key, counter, p), `bernoulli ${what}`);
          }
          for (const p of NORMAL) {
            const got = await gpuDraw(gpu(), 'normal', size, key, counter, p);
            const want = draw(js, 'normal', size, key, counter, p);
            for (let i = 0; i < size; i++) {
              const r = Math.abs(want[i] - p.mean) / p.std;
              const scale = Math.abs(p.mean) + p.std * Math.max(1, r);
              const err = Math.abs(got[i] - want[i]) / scale;
              worst = Math.max(worst, err);
              if (!(err <= NORMAL_TOL)) throw new Error(`normal ${what} [${i}]: webgpu ${got[i]}, js ${want[i]} (error ${err} of the scale)`);
            }
          }
        }
      }
    }
    expect(worst).toBeGreaterThan(0);   // float32 math, not js's double: some rounding differs
  });

  it('ops draw the same tensors on webgpu as on js from the same generator state', async () => {
    const a = randn([5, 7], { generator: new Generator(11), backend: gpu(), std: 0.3 });
    const b = randn([5, 7], { generator: new Generator(11), backend: 'js', std: 0.3 });
    const x = (await a.data()) as Float32Array, y = (await b.data()) as Float32Array;
    for (let i = 0; i < y.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(NORMAL_TOL * 0.3 * 6);
    expect(await rand([9], { generator: new Generator(2), backend: gpu() }).data())
      .toEqual(await rand([9], { generator: new Generator(2), backend: 'js' }).data());
  });
});
