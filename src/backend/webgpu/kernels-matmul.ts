// Matrix multiply of the webgpu backend: out = act(A·B + bias), batched, with transposes.
// Shaders: matmul_tiled.wgsl (the kernel the backend uses) and matmul_naive.wgsl (one
// thread per output: the tests' reference and the benchmark's baseline); both share
// matmul_common.wgsl, so they take the same bindings and parameters.
import type { Activation, MatmulParams } from '../backend.js';
import type { GpuRuntime, GpuStorage } from './runtime.js';
import { UniformBuilder } from './uniforms.js';

const ACT_CODES: Record<Activation, number> = { none: 0, relu: 1, sigmoid: 2, tanh: 3 };

/** Work split of matmul_tiled.wgsl: WG_X × WG_Y threads of 8×8 outputs each, TK of k per tile. */
export interface TileConfig {
  wgX: number;
  wgY: number;
  tk: number;
}

/** Outputs per thread along each axis (fixed by the shader's four mat4x4 accumulators). */
export const THREAD_BLOCK = 8;

/**
 * Tiles from the device limits: 16×16 threads (a 128×128 block) where the device allows
 * 256 invocations, 16×8 or 8×8 where it allows fewer; then the deepest TK (32, 16, 8, 4)
 * whose two tiles, 4·TK·(BM + BN) bytes, fit the workgroup storage.
 */
export function tileConfigFor(limits: GPUSupportedLimits): TileConfig {
  const threads = limits.maxComputeInvocationsPerWorkgroup;
  let wgX = 16, wgY = 16;
  if (threads < 256 || limits.maxComputeWorkgroupSizeY < 16) wgY = 8;
  if (threads < 128) wgX = 8;
  const sliceBytes = 4 * THREAD_BLOCK * (wgX + wgY);   // one k-slice of A's tile plus B's
  let tk = 32;
  while (tk > 4 && tk * sliceBytes > limits.maxComputeWorkgroupStorageSize) tk /= 2;
  return { wgX, wgY, tk };
}

export type MatmulVariant = 'tiled' | 'naive';

function checkParams(p: MatmulParams, a: GpuStorage, b: GpuStorage, out: GpuStorage): void {
  const { batch, m, n, k, strideA, strideB } = p;
  for (const [name, v] of Object.entries({ batch, m, n, k, strideA, strideB })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`webgpu matmul: ${name} = ${v} is not a non-negative integer`);
  }
  const need = (stride: number, mat: number) => (batch > 0 ? (batch - 1) * stride + mat : 0);
  if (a.size < need(strideA, m * k)) throw new Error(`webgpu matmul: A has ${a.size} elements, [${batch}×${m}×${k}] with strideA ${strideA} needs ${need(strideA, m * k)}`);
  if (b.size < need(strideB, k * n)) throw new Error(`webgpu matmul: B has ${b.size} elements, [${batch}×${k}×${n}] with strideB ${strideB} needs ${need(strideB, k * n)}`);
  if (out.size < batch * m * n) throw new Error(`webgpu matmul: out has ${out.size} elements, needs ${batch}×${m}×${n}`);
}

// A: [batch, m, k] (or [batch, k, m] if transA), B: [batch, k, n] (or [batch, n, k]) → out: [batch, m, n]
export function matmul(rt: GpuRuntime, a: GpuStorage, b: GpuStorage, out: GpuStorage, p: MatmulParams,
  variant: MatmulVariant = 'tiled', tile: TileConfig = tileConfigFor(rt.ctx.device.limits)): void {
  checkParams(p, a, b, out);
  const { batch, m, n, k } = p;
  if (batch * m * n === 0) return;
  const bias = (p.bias ?? null) as GpuStorage | null;
  if (bias && bias.size < n) throw new Error(`webgpu matmul: bias has ${bias.size} elements, expected n = ${n}`);
  const act = p.activation ?? 'none';
  if (ACT_CODES[act] === undefined) throw new Error(`webgpu matmul: unknown activation '${String(act)}'`);
  const common = { TRANS_A: p.transA, TRANS_B: p.transB, HAS_BIAS: bias !== null, ACT: ACT_CODES[act] };
  let spec, blockM, blockN;
  if (variant === 'naive') {
    blockN = 16;
    blockM = Math.min(16, Math.floor(rt.config.wg / 16));
    spec = { shader: 'matmul_naive', entry: 'main', defines: { ...common, WG_X: blockN, WG_Y: blockM } };
  } else {
    spec = {
      shader: 'matmul_tiled', entry: 'main',
      defines: { ...common, WG_X: tile.wgX, WG_Y: tile.wgY, TK: tile.tk },
    };
    blockM = tile.wgY * THREAD_BLOCK; blockN = tile.wgX * THREAD_BLOCK;
  }
  const groupsX = Math.ceil(n / blockN);
  const groupsY = Math.ceil(m / blockM);
  const maxDim = rt.config.maxGroupsPerDim;
  if (groupsX > maxDim || groupsY > maxDim) {
    throw new Error(`webgpu matmul: [${m}×${n}] output needs ${groupsY}×${groupsX} workgroups, over this device's ${maxDim} per dimension`);
  }
  // Batch items ride on the z dimension, in chunks of at most maxDim.
  for (let offset = 0; offset < batch; offset += maxDim) {
    const chunk = Math.min(maxDim, batch - offset);
    const u = new UniformBuilder().u32(m).u32(n).u32(k).u32(p.strideA).u32(p.strideB).u32(offset).finish();
    rt.run({ ...spec, bindings: ['read', 'read', 'read', 'write'] }, [a, b, bias, out], u, [groupsX, groupsY, chunk]);
  }
}
