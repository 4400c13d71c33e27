// The VAE's fused latent op (src/ops/latent.ts: reparameterize → z and the KL of each row) and its
// kernels on every backend: against the float64 formula written here, rounded once, on odd shapes,
// size 1, latents that are no multiple of a vector, and edge values (|log σ²| large enough to
// overflow or underflow e^v, NaN and ±∞); the gradient against float64 finite differences and
// against the chain of elementwise ops (with gaussianKl) that it replaces.
import { describe, expect, it, vi } from 'vitest';
import { formatGradcheck, Generator, gradcheck, reparameterize, tensor, type Backend, type Tensor } from '../../src/index.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { gaussianKl } from '../../src/losses/kl-divergence.js';
import { probeNative, probeWasm, probeWebGPU, probedBackend } from '../backend-probe.js';

const js = jsBackend as unknown as Backend;

interface Case { rows: number; latent: number; stats: Float32Array; eps: Float32Array; dz: Float32Array; dkl: Float32Array }

// Rows whose (μ, log σ²) are edge values; the rest of each row ordinary. v = ±100 and ±1000 overflow
// or underflow e^v in float32 (and e^(v/2) at ±1000); the non-finite ones only on CPU backends.
const FINITE_EDGES: [number, number][] = [[0, 0], [0.5, 60], [-1, 100], [2, -100], [-3, -1000], [1e-3, 1e-4]];
// v = 1000: e^(v/2) is finite in double and inf in f32, so ½·dz·σ·ε + ½·dkl·e^v is ±inf in double
// and may be inf − inf = NaN in f32 (webgpu): a CPU-only edge, like NaN and ±∞.
const NONFINITE_EDGES: [number, number][] = [[0.25, 1000], [NaN, 0], [0, NaN], [Infinity, 0], [-Infinity, 1], [1, Infinity], [1, -Infinity]];

function makeCase(rows: number, latent: number, seed: number, edges: [number, number][]): Case {
  const gen = new Generator(seed);
  const u = (lo: number, hi: number) => Math.fround(lo + (hi - lo) * gen.uniform());
  const stats = new Float32Array(rows * 2 * latent), eps = new Float32Array(rows * latent);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < latent; j++) {
      stats[r * 2 * latent + j] = u(-2, 2);
      stats[r * 2 * latent + latent + j] = u(-4, 3);
      eps[r * latent + j] = u(-2.5, 2.5) || 0.5;
    }
  }
  // One edge per row, at column r mod latent, while there are edges left.
  edges.forEach(([m, v], k) => {
    if (k >= rows) return;
    const j = k % latent;
    stats[k * 2 * latent + j] = m;
    stats[k * 2 * latent + latent + j] = v;
  });
  const dz = Float32Array.from({ length: rows * latent }, () => u(-1, 1));
  const dkl = Float32Array.from({ length: rows }, () => u(-1, 1));
  return { rows, latent, stats, eps, dz, dkl };
}

/** The float64 formula, each result rounded once: z, kl, and dstats for (dz, dkl) with either absent. */
function reference(c: Case, withDz: boolean, withDkl: boolean): { z: Float32Array; kl: Float32Array; dstats: Float32Array } {
  const { rows, latent, stats, eps } = c;
  const z = new Float32Array(rows * latent), kl = new Float32Array(rows), dstats = new Float32Array(rows * 2 * latent);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < latent; j++) {
      const mu = stats[r * 2 * latent + j], v = stats[r * 2 * latent + latent + j], e = eps[r * latent + j];
      const sigma = Math.exp(v / 2), variance = Math.exp(v);
      z[r * latent + j] = mu + sigma * e;
      sum += mu * mu + variance - 1 - v;
      const gz = c.dz[r * latent + j], gk = c.dkl[r];
      dstats[r * 2 * latent + j] = (withDz ? gz : 0) + (withDkl ? gk * mu : 0);
      dstats[r * 2 * latent + latent + j] = (withDz ? gz * sigma * e / 2 : 0) + (withDkl ? gk * (variance - 1) / 2 : 0);
    }
    kl[r] = sum / 2;
  }
  return { z, kl, dstats };
}

/** The backend's kernels on the case: z, kl, and dstats for each of (dz, dkl), (dz, −), (−, dkl). */
async function runKernels(b: Backend, c: Case): Promise<{ z: Float32Array; kl: Float32Array; dstats: Float32Array[] }> {
  const { rows, latent } = c;
  const stats = b.upload(c.stats), eps = b.upload(c.eps), dz = b.upload(c.dz), dkl = b.upload(c.dkl);
  const z = b.alloc('float32', rows * latent), kl = b.alloc('float32', rows);
  b.reparameterize(stats, eps, z, kl, rows, latent);
  const dstats: Float32Array[] = [];
  for (const [gz, gk] of [[dz, dkl], [dz, null], [null, dkl]]) {
    const out = b.alloc('float32', rows * 2 * latent);
    b.reparameterizeBackward(stats, eps, gz, gk, out, rows, latent);
    dstats.push(Float32Array.from(await b.read(out, 'float32', rows * 2 * latent)));
    b.free(out);
  }
  const result = { z: Float32Array.from(await b.read(z, 'float32', rows * latent)), kl: Float32Array.from(await b.read(kl, 'float32', rows)), dstats };
  for (const s of [stats, eps, dz, dkl, z, kl]) b.free(s);
  return result;
}

/** Equal within tol(want); a non-finite want must be matched exactly (NaN by NaN, ±∞ by itself). */
function expectClose(got: Float32Array, want: Float32Array, tol: (w: number) => number, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    const ok = Number.isFinite(w) ? Math.abs(g - w) <= tol(w) : Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w));
    if (!ok) throw new Error(`${what} [${i}]: got ${g}, expected ${w}`);
  }
}

const SHAPES: [number, number][] = [[1, 1], [3, 5], [7, 1], [13, 33], [256, 32]];

async function checkBackend(b: Backend, tol: (w: number) => number, edges: [number, number][]): Promise<void> {
  for (const [rows, latent] of SHAPES) {
    const c = makeCase(rows, latent, rows * 100 + latent, edges);
    const got = await runKernels(b, c);
    const where = `${b.name} [${rows}, ${latent}]`;
    const full = reference(c, true, true);
    expectClose(got.z, full.z, tol, `${where} z`);
    expectClose(got.kl, full.kl, (w) => tol(w) * latent, `${where} kl`);
    expectClose(got.dstats[0], full.dstats, tol, `${where} dstats (dz, dkl)`);
    expectClose(got.dstats[1], reference(c, true, false).dstats, tol, `${where} dstats (dz only)`);
    expectClose(got.dstats[2], reference(c, false, true).dstats, tol, `${where} dstats (dkl only)`);
  }
}

const ALL_EDGES = [...FINITE_EDGES, ...NONFINITE_EDGES];
// Double math rounded once: js is the formula; native's vector exp and lane-wise sums differ from
// Math.exp and a sequential sum by ~1e-16, which can move a float32 rounding by one ulp.
const ulp = (w: number) => 2 ** -23 * Math.abs(w) + 1e-30;

describe('reparameterize kernels vs the float64 formula', () => {
  it('js, with every edge value', async () => { await checkBackend(js, (w) => 0 * w, ALL_EDGES); });

  const native = probeNative();
  it.skipIf(native.skip)('native, with every edge value', async () => { await checkBackend(probedBackend(native, 'native'), ulp, ALL_EDGES); });

  const wasm = probeWasm();
  it.skipIf(wasm.skip)('wasm, with every edge value', async () => { await checkBackend(probedBackend(wasm, 'wasm'), ulp, ALL_EDGES); });
});

describe('reparameterize kernels on wasm (native/simd_latent.inc in the module)', () => {
  const wasm = probeWasm();
  it.skipIf(wasm.skip)("equal js's kernels within an ulp, forward and backward, with every edge value", async () => {
    const b = probedBackend(wasm, 'wasm');
    for (const [rows, latent] of SHAPES) {
      const c = makeCase(rows, latent, rows * 31 + latent, ALL_EDGES);
      const got = await runKernels(b, c), want = await runKernels(js, c);
      const where = `wasm [${rows}, ${latent}] against js`;
      expectClose(got.z, want.z, ulp, `${where} z`);
      expectClose(got.kl, want.kl, (w) => ulp(w) * latent, `${where} kl`);
      got.dstats.forEach((d, k) => expectClose(d, want.dstats[k]!, ulp, `${where} dstats #${k}`));
    }
  });

  it.skipIf(wasm.skip)("runs no js kernel: the op's forward and backward on wasm tensors stay in the module", async () => {
    const rows = 5, latent = 7, gen = new Generator(3);
    const stats = Array.from({ length: rows * 2 * latent }, () => 4 * gen.uniform() - 2);
    const eps = Array.from({ length: rows * latent }, () => 2 * gen.uniform() - 1);
    const forward = vi.spyOn(jsBackend, 'reparameterize'), backward = vi.spyOn(jsBackend, 'reparameterizeBackward');
    try {
      const run = async (backend: Backend | 'js') => {
        const s = tensor(stats, [rows, 2 * latent], { backend, requiresGrad: true }), e = tensor(eps, [rows, latent], { backend });
        const { z, kl } = reparameterize(s, e);
        z.sum().add(kl.sum()).backward();
        return { z: Float32Array.from(await z.data()), kl: Float32Array.from(await kl.data()), grad: Float32Array.from(await s.grad!.data()) };
      };
      const onWasm = await run(wasm.backend!);
      expect(forward).not.toHaveBeenCalled();
      expect(backward).not.toHaveBeenCalled();
      // The spies do see js's kernels when the op runs on js, and the two give the same numbers.
      const onJs = await run('js');
      expect(forward).toHaveBeenCalled();
      expect(backward).toHaveBeenCalled();
      expectClose(onWasm.z, onJs.z, ulp, 'wasm z');
      expectClose(onWasm.kl, onJs.kl, (w) => ulp(w) * latent, 'wasm kl');
      expectClose(onWasm.grad, onJs.grad, (w) => 4 * ulp(w), 'wasm dstats');
    } finally {
      forward.mockRestore();
      backward.mockRestore();
    }
  });
});

const webgpu = await probeWebGPU();

describe('reparameterize kernels on webgpu', () => {
  // f32 math in the shader (WGSL's exp is within a few ulp, the sums are in f32): 1e-5 relative
  // plus 1e-5 absolute. NaN and ±∞ inputs are left out: WGSL lets the compiler assume finite math.
  it.skipIf(webgpu.skip)('equal the float64 formula within f32 error, with the finite edge values', async () => {
    await checkBackend(probedBackend(webgpu, 'webgpu'), (w) => 1e-5 * Math.abs(w) + 1e-5, FINITE_EDGES);
  }, 60_000);
});

describe('reparameterize (the op)', () => {
  const gen = new Generator(7);
  const f64 = (data: number[], shape: number[], requiresGrad = false) => tensor(data, shape, { backend: 'js', dtype: 'float64', requiresGrad });

  it('has the gradient of float64 finite differences through z and the KL, on odd shapes', () => {
    for (const [rows, latent] of [[1, 1], [3, 5], [4, 2]]) {
      const stats = f64(Array.from({ length: rows * 2 * latent }, () => 2 * gen.uniform() - 1), [rows, 2 * latent], true);
      const eps = f64(Array.from({ length: rows * latent }, () => 2 * gen.uniform() - 1), [rows, latent]);
      const wz = f64(Array.from({ length: rows * latent }, () => gen.uniform() + 0.5), [rows, latent]);
      for (const fn of [
        (s: Tensor) => reparameterize(s, eps).z,
        (s: Tensor) => reparameterize(s, eps).kl,
        (s: Tensor) => { const { z, kl } = reparameterize(s, eps); return z.mul(wz).sum().add(kl.sum().mul(3)); },
      ]) {
        const report = gradcheck(fn, [stats]);
        expect(report.ok, formatGradcheck(report)).toBe(true);
      }
    }
  });

  it('gives what the elementwise chain and gaussianKl give, values and gradients, on every backend', async () => {
    const rows = 9, latent = 6;
    const stats = Array.from({ length: rows * 2 * latent }, () => 4 * gen.uniform() - 2);
    const eps = Array.from({ length: rows * latent }, () => 2 * gen.uniform() - 1);
    const w = Array.from({ length: rows * latent }, () => gen.uniform());
    const backends: (Backend | 'js')[] = ['js'];
    for (const p of [probeNative(), probeWasm(), webgpu]) if (p.backend) backends.push(p.backend);
    for (const backend of backends) {
      const run = async (fused: boolean) => {
        const s = tensor(stats, [rows, 2 * latent], { backend, requiresGrad: true });
        const e = tensor(eps, [rows, latent], { backend }), wz = tensor(w, [rows, latent], { backend });
        let z: Tensor, kl: Tensor;
        if (fused) ({ z, kl } = reparameterize(s, e));
        else {
          const mu = s.slice([0, 0], [rows, latent]), lv = s.slice([0, latent], [rows, 2 * latent]);
          z = mu.add(lv.mul(0.5).exp().mul(e));
          kl = gaussianKl(mu, lv, { reduction: 'none' });
        }
        const loss = z.mul(wz).sum().add(kl.sum());
        loss.backward();
        return { z: Float32Array.from(await z.data()), kl: Float32Array.from(await kl.data()), grad: Float32Array.from(await s.grad!.data()) };
      };
      const a = await run(true), b = await run(false);
      const tol = (x: number) => 1e-5 * Math.abs(x) + 1e-5;
      const name = typeof backend === 'string' ? backend : backend.name;
      expectClose(a.z, b.z, tol, `${name} z`);
      expectClose(a.kl, b.kl, tol, `${name} kl`);
      expectClose(a.grad, b.grad, tol, `${name} dstats`);
    }
  }, 60_000);

  it('refuses bad shapes, a noise that requires grad, and second derivatives', () => {
    const s = tensor(new Float32Array(12), [2, 6], { backend: 'js', requiresGrad: true });
    expect(() => reparameterize(s, tensor(new Float32Array(4), [2, 2], { backend: 'js' })))
      .toThrow(/reparameterize: expected stats \[n, 2·latent\] and eps \[n, latent\], got \[2, 6\] and \[2, 2\]/);
    expect(() => reparameterize(s, tensor(new Float32Array(6), [2, 3], { backend: 'js', requiresGrad: true }))).toThrow(/eps is noise/);
    const { z } = reparameterize(s, tensor(new Float32Array(6), [2, 3], { backend: 'js' }));
    expect(() => z.sum().backward(undefined, { createGraph: true })).toThrow(/no second derivatives/);
  });
});
