// The webgpu backend's memory and work accounting: the buffer pool reuses freed buffers,
// stats count live buffers, bytes, readbacks, dispatches and submits; kernels never read
// back; errors are clear instead of silent.
import { describe, expect, it } from 'vitest';
import { bucketSize } from '../../src/backend/webgpu/buffer-pool.js';
import { webgpuInfo, webgpuStats } from '../../src/backend/webgpu/index.js';
import { createDeviceContext } from '../../src/backend/webgpu/device.js';
import { GpuRuntime } from '../../src/backend/webgpu/runtime.js';
import { unary } from '../../src/backend/webgpu/kernels-elementwise.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { Generator } from '../../src/random.js';
import { randomF32, readAll, requireBackend, setupWebGPU, shouldSkip } from './webgpu-helpers.js';

const setup = await setupWebGPU();

describe('webgpu buffer pool buckets', () => {
  it('rounds up to 2^k or 1.5·2^k, never below the request', () => {
    expect(bucketSize(1)).toBe(64);
    expect(bucketSize(64)).toBe(64);
    expect(bucketSize(65)).toBe(96);
    expect(bucketSize(96)).toBe(96);
    expect(bucketSize(97)).toBe(128);
    expect(bucketSize(1000)).toBe(1024);
    expect(bucketSize(1025)).toBe(1536);
    for (let n = 1; n < 100_000; n = Math.ceil(n * 1.37)) {
      const b = bucketSize(n);
      expect(b).toBeGreaterThanOrEqual(n);
      expect(b).toBeLessThanOrEqual(Math.max(64, Math.ceil(n * 1.5)));
    }
  });
});

describe.skipIf(shouldSkip(setup))('webgpu memory and stats', () => {
  const gpu = () => requireBackend(setup);
  const gen = new Generator(7);

  it('reports the adapter and the limits in use', () => {
    const info = webgpuInfo();
    expect(info).not.toBeNull();
    expect(info!.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(64);
    expect(['core', 'compatibility']).toContain(info!.featureLevel);
    expect(gpu().describe().backend).toBe('webgpu');
  });

  it('reuses freed buffers of the same bucket instead of allocating', () => {
    const g = gpu();
    const before = g.stats();
    const a = g.alloc('float32', 1000);
    const afterAlloc = g.stats();
    expect(afterAlloc.liveBuffers).toBe(before.liveBuffers + 1);
    expect(afterAlloc.bytesHeld).toBe(before.bytesHeld + bucketSize(4000));
    g.free(a);
    const afterFree = g.stats();
    expect(afterFree.liveBuffers).toBe(before.liveBuffers);
    expect(afterFree.bytesPooled).toBeGreaterThanOrEqual(bucketSize(4000));
    // 990 floats fall in the same 4096-byte bucket: no new createBuffer.
    const b = g.alloc('float32', 990);
    expect(g.stats().allocations).toBe(afterFree.allocations);
    g.free(b);
    g.free(b);   // a second free is ignored, not a double entry in the pool
    expect(g.stats().liveBuffers).toBe(before.liveBuffers);
  });

  it('kernels enqueue without reading back; each read is one counted readback', async () => {
    const g = gpu();
    const x = g.upload(randomF32(gen, 500));
    const y = g.alloc('float32', 500);
    const s0 = g.stats();
    for (let i = 0; i < 10; i++) g.unary('exp', x, y, 500, {});
    g.reduce('sum', y, g.alloc('float32', 1), 1, 500, 1);
    const s1 = g.stats();
    expect(s1.readbacks).toBe(s0.readbacks);
    expect(s1.dispatches).toBe(s0.dispatches + 11);
    await readAll(g, y);
    expect(g.stats().readbacks).toBe(s0.readbacks + 1);
    expect(g.stats().submits).toBeGreaterThan(s0.submits);
    await g.sync!();
    expect(g.stats().readbacks).toBe(s0.readbacks + 1);
  });

  it('batches dispatches: at most one submit per maxDispatchesPerSubmit kernels', async () => {
    const g = gpu();
    const x = g.upload(randomF32(gen, 64));
    const y = g.alloc('float32', 64);
    await g.sync!();
    const s0 = g.stats();
    for (let i = 0; i < 200; i++) g.unary('neg', x, y, 64, {});
    await g.sync!();
    const s1 = g.stats();
    expect(s1.submits - s0.submits).toBeLessThanOrEqual(Math.ceil(200 / 64) + 1);
    expect(s1.submits - s0.submits).toBeGreaterThanOrEqual(3);
  });

  it('pipelines are cached per specialisation', () => {
    const g = gpu();
    const x = g.upload(randomF32(gen, 8));
    const y = g.alloc('float32', 8);
    g.unary('sigmoid', x, y, 8, {});
    const p0 = g.stats().pipelines;
    for (let i = 0; i < 5; i++) g.unary('sigmoid', x, y, 8, {});
    expect(g.stats().pipelines).toBe(p0);
    g.unary('gelu', x, y, 8, {});
    expect(g.stats().pipelines).toBe(p0 + 1);
  });

  it('a loop that allocates and frees keeps live buffers and bytes flat', async () => {
    const g = gpu();
    const w = g.upload(randomF32(gen, 32 * 16));
    const baseline = g.stats();
    for (let step = 0; step < 50; step++) {
      const x = g.upload(randomF32(gen, 8 * 32));
      const h = g.alloc('float32', 8 * 16);
      g.matmul(x, w, h, { batch: 1, m: 8, n: 16, k: 32, transA: false, transB: false, strideA: 0, strideB: 0, activation: 'relu' });
      const s = g.alloc('float32', 1);
      g.reduce('sum', h, s, 1, 128, 1);
      g.free(x); g.free(h); g.free(s);
    }
    await g.sync!();
    const after = g.stats();
    expect(after.liveBuffers).toBe(baseline.liveBuffers);
    expect(after.bytesHeld).toBe(baseline.bytesHeld);
    expect(after.allocations - baseline.allocations).toBeLessThanOrEqual(3);
  });

  it('errors: freed storage, float64, oversized allocations name the op', async () => {
    const g = gpu();
    const x = g.alloc('float32', 4);
    g.free(x);
    expect(() => g.unary('neg', x, g.alloc('float32', 4), 4, {})).toThrow(/unary: binding 0 uses storage that was already freed/);
    await expect(g.read(x, 'float32', 4)).rejects.toThrow(/already freed/);
    expect(() => g.alloc('float64', 4)).toThrow(/float64 is not supported/);
    expect(() => g.alloc('float32', 2 ** 31)).toThrow(/exceed this device's largest storage binding/);
    expect(g.supportsDType('float64')).toBe(false);
  });

  it('dispatches 2-D grids when one dimension would overflow (limit forced down to 5)', async () => {
    const g = gpu();
    const config = g.runtime.config as { maxGroupsPerDim: number };
    const saved = config.maxGroupsPerDim;
    config.maxGroupsPerDim = 5;
    try {
      const n = 4500;   // 18 workgroups of 256 → a 5 × 4 grid: two groups idle, one partly
      const x = randomF32(gen, n);
      const gx = g.upload(x), out = g.alloc('float32', n);
      g.unary('softplus', gx, out, n, {});
      const expected = new Float32Array(n);
      jsBackend.unary('softplus', x, expected, n, {});
      const got = await readAll(g, out);
      for (let i = 0; i < n; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(1e-5);
      // A workgroup per output (tree reduction): 9 outputs on a 5 × 2 grid.
      const rows = g.alloc('float32', 9);
      g.reduce('max', gx, rows, 9, 500, 1);
      const expectedRows = new Float32Array(9);
      jsBackend.reduce('max', x, expectedRows, 9, 500, 1);
      expect(Array.from(await readAll(g, rows))).toEqual(Array.from(expectedRows));
    } finally {
      config.maxGroupsPerDim = saved;
    }
  });

  it('a lost device gives a clear error instead of a hang', async () => {
    // A second device of its own, so the shared backend stays usable.
    const ctx = await createDeviceContext();
    const rt = new GpuRuntime(ctx, 16);
    const x = rt.upload(randomF32(gen, 16));
    const y = rt.alloc(16);
    ctx.device.destroy();
    await ctx.device.lost;
    await new Promise((r) => setTimeout(r, 0));   // let the lost handler run
    expect(() => unary(rt, 'exp', x, y, 16, {})).toThrow(/device was lost/);
    expect(() => rt.alloc(4)).toThrow(/device was lost/);
    await expect(rt.read(y, 16)).rejects.toThrow(/device was lost/);
  });

  it('webgpuStats mirrors the backend stats', () => {
    expect(webgpuStats()).toEqual(gpu().stats());
  });
});
