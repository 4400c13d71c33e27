// The webgpu matmul kernels (tiled and naive) against the js reference: every transpose
// combination, batches with strides (0 = broadcast), odd sizes that are not multiples of
// the tile, size 1, fused bias + activation, and other tile configurations.
import { describe, expect, it } from 'vitest';
import type { Activation, MatmulParams } from '../../src/backend/backend.js';
import { matmulNaive, applyEpilogue } from '../../src/backend/js/matmul.js';
import { matmul, tileConfigFor, tileConfigForShape, type TileConfig } from '../../src/backend/webgpu/kernels-matmul.js';
import { Generator } from '../../src/random.js';
import { expectClose } from '../helpers.js';
import { randomF32, readAll, requireBackend, setupWebGPU, shouldSkip } from './webgpu-helpers.js';

const setup = await setupWebGPU();

/** js reference: float64-accumulated dot products, then the js epilogue. */
function reference(a: Float32Array, b: Float32Array, bias: Float32Array | undefined, p: MatmulParams): Float32Array {
  const out = new Float32Array(p.batch * p.m * p.n);
  matmulNaive(a, b, out, p);
  for (let bi = 0; bi < p.batch; bi++) applyEpilogue(out, bi * p.m * p.n, p.m, p.n, bias, p.activation ?? 'none');
  return out;
}

describe.skipIf(shouldSkip(setup))('webgpu matmul vs js', () => {
  const gpu = () => requireBackend(setup);
  const gen = new Generator(99);

  async function check(p: MatmulParams, variant: 'tiled' | 'naive' | 'auto', tile?: TileConfig, withBias = false): Promise<void> {
    const aSize = (p.batch - 1) * p.strideA + p.m * p.k;
    const bSize = (p.batch - 1) * p.strideB + p.k * p.n;
    const a = randomF32(gen, Math.max(aSize, p.m * p.k)), b = randomF32(gen, Math.max(bSize, p.k * p.n));
    const bias = withBias ? randomF32(gen, p.n) : undefined;
    const expected = reference(a, b, bias, p);
    const g = gpu();
    const ga = g.upload(a), gb = g.upload(b), gbias = bias ? g.upload(bias) : undefined;
    const out = g.alloc('float32', p.batch * p.m * p.n);
    matmul(g.runtime, ga, gb, out, { ...p, bias: gbias }, variant, tile);
    const what = `${variant} b${p.batch} ${p.m}×${p.k}·${p.k}×${p.n} tA=${p.transA} tB=${p.transB} sA=${p.strideA} sB=${p.strideB} ${p.activation ?? 'none'}${withBias ? '+bias' : ''}`;
    expectClose(await readAll(g, out), expected, 1e-5, 1e-5 * Math.sqrt(p.k), what);
    for (const s of [ga, gb, out, gbias]) if (s) g.free(s);
  }

  // 'auto' picks the naive kernel for m or n below 4 and fits the tile to the shape otherwise.
  const sizes: [number, number, number][] = [[1, 1, 1], [1, 5, 1], [7, 1, 9], [13, 17, 19], [64, 64, 64], [65, 33, 70], [3, 100, 2],
    [130, 7, 66], [1, 300, 20], [16, 200, 9], [200, 9, 40]];
  for (const variant of ['tiled', 'naive', 'auto'] as const) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`${variant} transA=${transA} transB=${transB}, odd sizes`, async () => {
          for (const [m, n, k] of sizes) {
            await check({ batch: 1, m, n, k, transA, transB, strideA: m * k, strideB: k * n }, variant);
          }
        });
      }
    }
  }

  it('batched with strides, including a broadcast operand (stride 0)', async () => {
    for (const variant of ['tiled', 'naive'] as const) {
      for (const [transA, transB] of [[false, false], [true, true], [false, true]] as [boolean, boolean][]) {
        await check({ batch: 3, m: 9, n: 11, k: 5, transA, transB, strideA: 45, strideB: 0 }, variant);
        await check({ batch: 4, m: 6, n: 70, k: 13, transA, transB, strideA: 0, strideB: 13 * 70 }, variant);
        await check({ batch: 2, m: 5, n: 3, k: 4, transA, transB, strideA: 25, strideB: 16 }, variant);  // gaps between items
      }
    }
  });

  for (const activation of ['none', 'relu', 'sigmoid', 'tanh'] as Activation[]) {
    it(`fused bias + ${activation}`, async () => {
      for (const variant of ['tiled', 'naive'] as const) {
        await check({ batch: 2, m: 33, n: 67, k: 21, transA: false, transB: true, strideA: 33 * 21, strideB: 0, activation }, variant, undefined, true);
        await check({ batch: 1, m: 5, n: 3, k: 8, transA: true, transB: false, strideA: 40, strideB: 24, activation }, variant, undefined, activation !== 'none');
      }
    });
  }

  it('k = 0 gives act(bias)', async () => {
    await check({ batch: 1, m: 3, n: 4, k: 0, transA: false, transB: false, strideA: 0, strideB: 0, activation: 'sigmoid' }, 'tiled', undefined, true);
  });

  it('other tile configurations (fewer invocations, shallow and deep k tiles)', async () => {
    const configs: TileConfig[] = [
      { wgX: 16, wgY: 8, tk: 16 },
      { wgX: 8, wgY: 8, tk: 8 },
      { wgX: 16, wgY: 16, tk: 32 },
      { wgX: 4, wgY: 2, tk: 4 },
    ];
    for (const tile of configs) {
      await check({ batch: 2, m: 67, n: 45, k: 39, transA: true, transB: false, strideA: 67 * 39, strideB: 39 * 45, activation: 'relu' }, 'tiled', tile, true);
      await check({ batch: 1, m: 130, n: 129, k: 70, transA: false, transB: true, strideA: 0, strideB: 0 }, 'tiled', tile);
    }
  });

  it('tiles fit thin shapes: half-empty sides shrink, the freed threads widen the other side', () => {
    const limits = { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 256,
      maxComputeWorkgroupStorageSize: 32768 } as GPUSupportedLimits;
    expect(tileConfigForShape(limits, 1024, 1024, 1024)).toEqual({ wgX: 16, wgY: 16, tk: 32 });
    // m = 16: two thread rows (a 16-row block); n = 784 takes up to 64 thread columns (512 ≤ 784);
    // k = 9 needs TK 16, and 4·16·8·(64 + 2) bytes exceed 32 KiB, so TK = 8.
    expect(tileConfigForShape(limits, 16, 784, 9)).toEqual({ wgX: 64, wgY: 2, tk: 8 });
    expect(tileConfigForShape(limits, 784, 16, 200)).toEqual({ wgX: 2, wgY: 64, tk: 8 });
    // 256×64 fits one 8×32-thread workgroup; asking for 4 workgroups halves the 256-row side twice.
    expect(tileConfigForShape(limits, 256, 64, 784)).toEqual({ wgX: 8, wgY: 32, tk: 16 });
    expect(tileConfigForShape(limits, 256, 64, 784, 1, 4)).toEqual({ wgX: 8, wgY: 8, tk: 32 });
    // A batch supplies the workgroups just as well.
    expect(tileConfigForShape(limits, 256, 64, 784, 4, 4)).toEqual({ wgX: 8, wgY: 32, tk: 16 });
  });

  it('tile sizes follow the device limits', () => {
    const base = { maxComputeWorkgroupSizeY: 1024, maxComputeWorkgroupStorageSize: 32768 } as GPUSupportedLimits;
    // 256 threads → 16×16 threads of 8×8 outputs (a 128×128 block); TK = 32 needs 4·32·256 = 32 KiB.
    expect(tileConfigFor({ ...base, maxComputeInvocationsPerWorkgroup: 256 })).toEqual({ wgX: 16, wgY: 16, tk: 32 });
    // 128 threads → 16×8; the tiles are 4·TK·(128 + 64) bytes: TK = 32 is 24 KiB.
    expect(tileConfigFor({ ...base, maxComputeInvocationsPerWorkgroup: 128 })).toEqual({ wgX: 16, wgY: 8, tk: 32 });
    // WebGPU's default 16 KiB of workgroup storage: TK = 16 for 16×16 threads.
    expect(tileConfigFor({ ...base, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 16384 }).tk).toBe(16);
  });

  it('rejects operands too small for the parameters, naming the op and sizes', () => {
    const g = gpu();
    const a = g.alloc('float32', 5), b = g.alloc('float32', 6), out = g.alloc('float32', 4);
    expect(() => g.matmul(a, b, out, { batch: 1, m: 2, n: 2, k: 3, transA: false, transB: false, strideA: 6, strideB: 6 }))
      .toThrow(/webgpu matmul: A has 5 elements/);
  });
});
