// The webgpu random kernel (shaders/random.wgsl) against the js reference (src/backend/philox.ts):
// the Philox words bit for bit, uniform and Bernoulli values exactly, normal and gaussianNoise
// values within NORMAL_TOL (below), on the cases of random-helpers.ts (sizes 1 … 8195, counters
// that carry into the high word, extreme keys; NaN, ±∞ and the clip bounds in gaussianNoise's x).
import { describe, expect, it } from 'vitest';
import type { RandomKind, RandomParams } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import type { WebGPUBackend } from '../../src/backend/webgpu/index.js';
import { Generator } from '../../src/random.js';
import { gaussianNoise, rand, randn, tensor } from '../../src/index.js';
import { BERNOULLI, COUNTERS, draw, expectSame, KEYS, NOISE, noiseInput, NORMAL, SIZES } from './random-helpers.js';
import { requireBackend, setupWebGPU, shouldSkip } from './webgpu-helpers.js';

const setup = await setupWebGPU();
const js = jsBackend as unknown as Parameters<typeof draw>[0];

// The shader runs the reference's float32 Box–Muller step by step (the same polynomials and
// constants), but WGSL lets an implementation fuse a multiply and an add, so a few roundings may
// differ: |z − z_js| ≤ NORMAL_TOL·(|mean| + std·max(1, r)), r = √(−2 ln u1) ≤ 5.8.
const NORMAL_TOL = 2 ** -21;

async function gpuDraw(gpu: WebGPUBackend, kind: RandomKind, size: number, key: [number, number], counter: number,
  params: RandomParams = {}, x?: Float32Array): Promise<Float32Array> {
  const out = gpu.upload(new Float32Array(size + 3).fill(-7));
  const xs = x && gpu.upload(x);
  gpu.random!(kind, out, size, key, counter, params, xs);
  if (xs) gpu.free(xs);
  const all = (await gpu.read(out, 'float32', size + 3)) as Float32Array;
  gpu.free(out);
  expect([all[size], all[size + 1], all[size + 2]], `webgpu ${kind} wrote past size ${size}`).toEqual([-7, -7, -7]);
  return all.slice(0, size);
}

describe.skipIf(shouldSkip(setup))('webgpu random kernel vs the js reference', () => {
  const gpu = () => requireBackend(setup);

  /** got within NORMAL_TOL of js's want, relative to the scale of a normal draw of (mean, std) around x. */
  function expectNear(got: Float32Array, want: Float32Array, p: { mean?: number; std: number }, what: string, x?: Float32Array): void {
    const mean = p.mean ?? 0;
    for (let i = 0; i < want.length; i++) {
      if (Number.isNaN(want[i]) && Number.isNaN(got[i])) continue;
      const base = x ? x[i] : 0;
      const r = Math.abs(want[i] - base - mean) / (p.std || 1);
      const scale = Math.abs(base) + Math.abs(mean) + p.std * Math.max(1, r);
      const err = got[i] === want[i] ? 0 : Math.abs(got[i] - want[i]) / scale;
      if (!(err <= NORMAL_TOL)) throw new Error(`${what} [${i}]: webgpu ${got[i]}, js ${want[i]} (error ${err} of the scale)`);
    }
  }

  it('words bit for bit, uniform and Bernoulli exactly, normal and gaussianNoise within NORMAL_TOL', async () => {
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
            expectNear(await gpuDraw(gpu(), 'normal', size, key, counter, p), draw(js, 'normal', size, key, counter, p), p, `normal ${what}`);
          }
          const x = noiseInput(size);
          for (const p of NOISE) {
            const got = await gpuDraw(gpu(), 'gaussianNoise', size, key, counter, p, x);
            expectNear(got, draw(js, 'gaussianNoise', size, key, counter, p, x), p, `gaussianNoise ${what}`, x);
            // NaN stays NaN, and the clip holds exactly (±∞ clipped to the bounds).
            x.forEach((v, i) => { if (Number.isNaN(v)) expect(got[i]).toBeNaN(); });
            if (p.low !== undefined) expect(got.every((v) => Number.isNaN(v) || (v >= p.low! && v <= p.high!))).toBe(true);
          }
        }
      }
    }
  });

  it('ops draw the same tensors on webgpu as on js from the same generator state', async () => {
    const a = randn([5, 7], { generator: new Generator(11), backend: gpu(), std: 0.3 });
    const b = randn([5, 7], { generator: new Generator(11), backend: 'js', std: 0.3 });
    const x = (await a.data()) as Float32Array, y = (await b.data()) as Float32Array;
    for (let i = 0; i < y.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(NORMAL_TOL * 0.3 * 6);
    expect(await rand([9], { generator: new Generator(2), backend: gpu() }).data())
      .toEqual(await rand([9], { generator: new Generator(2), backend: 'js' }).data());
    const x0 = noiseInput(23), p = { std: 0.3, low: 0, high: 1 };
    const c = gaussianNoise(tensor(x0, [23], { backend: gpu() }), { ...p, generator: new Generator(5) });
    const d = gaussianNoise(tensor(x0, [23], { backend: 'js' }), { ...p, generator: new Generator(5) });
    expectNear((await c.data()) as Float32Array, (await d.data()) as Float32Array, p, 'gaussianNoise op', x0);
  });
});
