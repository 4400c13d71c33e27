// Matrix multiply of the webgpu backend: out = act(A·B + bias), batched, with transposes.
// Shaders: matmul_tiled.wgsl (the kernel the backend uses) and matmul_naive.wgsl (one
// thread per output: the tests' reference and the benchmark's baseline); both share
// matmul_common.wgsl, so they take the same bindings and parameters.
import type { Activation, MatmulParams } from '../backend.js';
import { activationCode } from '../opcodes.js';
import type { GpuRuntime, GpuStorage } from './runtime.js';
import { UniformBuilder } from './uniforms.js';

/** Work split of matmul_tiled.wgsl: WG_X × WG_Y threads of 8×8 outputs each, TK of k per tile. */
export interface TileConfig {
  wgX: number;
  wgY: number;
  tk: number;
}

/** Outputs per thread along each axis (fixed by the shader's four mat4x4 accumulators). */
const THREAD_BLOCK = 8;

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

/**
 * The device's tile fitted to one problem, so thin products do not pay for a 128×128 block:
 * halve a side while its block would be more than half empty (BM/2 ≥ m), give the freed
 * threads to the other side while its block still fits inside the matrix; then, while the
 * product would run on fewer than `minGroups` workgroups (idle cores or SMs), halve the
 * larger block side (down to 32 threads). TK goes no deeper than k needs, then shrinks until
 * the tiles fit the workgroup storage. Sides stay powers of two: a handful of pipelines.
 */
export function tileConfigForShape(limits: GPUSupportedLimits, m: number, n: number, k: number,
  batch = 1, minGroups = 1): TileConfig {
  const base = tileConfigFor(limits);
  const maxThreads = base.wgX * base.wgY;
  let { wgX, wgY } = base;
  while (wgY > 1 && (THREAD_BLOCK * wgY) / 2 >= m) wgY /= 2;
  while (wgX > 1 && (THREAD_BLOCK * wgX) / 2 >= n) wgX /= 2;
  while (wgX * wgY < maxThreads && wgX * 2 <= limits.maxComputeWorkgroupSizeX && THREAD_BLOCK * wgX * 2 <= n) wgX *= 2;
  while (wgX * wgY < maxThreads && wgY * 2 <= limits.maxComputeWorkgroupSizeY && THREAD_BLOCK * wgY * 2 <= m) wgY *= 2;
  const groups = () => Math.ceil(m / (THREAD_BLOCK * wgY)) * Math.ceil(n / (THREAD_BLOCK * wgX)) * batch;
  while (groups() < minGroups && wgX * wgY > 32) {
    if (wgX >= wgY) wgX /= 2; else wgY /= 2;
  }
  let tk = base.tk;
  while (tk > 4 && tk / 2 >= k) tk /= 2;
  while (tk > 4 && 4 * tk * THREAD_BLOCK * (wgX + wgY) > limits.maxComputeWorkgroupStorageSize) tk /= 2;
  return { wgX, wgY, tk };
}

/** 'auto' takes the tiled kernel except for products a thread's 8×8 block would mostly waste. */
export type MatmulVariant = 'auto' | 'tiled' | 'naive';

/**
 * Matrix-vector-like products (m or n below 4) go to the naive kernel: with one useful row
 * in a tiled block, every B element is staged through workgroup memory to be used once.
 */
function chooseVariant(m: number, n: number): 'tiled' | 'naive' {
  return m < 4 || n < 4 ? 'naive' : 'tiled';
}

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
  variant: MatmulVariant = rt.config.matmulVariant,
  tile: TileConfig = tileConfigForShape(rt.ctx.device.limits, p.m, p.n, p.k, p.batch, rt.config.matmulMinGroups)): void {
  checkParams(p, a, b, out);
  const { batch, m, n, k } = p;
  if (batch * m * n === 0) return;
  const bias = (p.bias ?? null) as GpuStorage | null;
  if (bias && bias.size < n) throw new Error(`webgpu matmul: bias has ${bias.size} elements, expected n = ${n}`);
  const common = { TRANS_A: p.transA, TRANS_B: p.transB, HAS_BIAS: bias !== null, ACT: activationCode('webgpu matmul', p.activation ?? 'none') };
  let spec, blockM, blockN;
  if ((variant === 'auto' ? chooseVariant(m, n) : variant) === 'naive') {
    // A 16-row block would idle most threads on a one-row product: fit the rows to m.
    blockM = Math.min(16, 2 ** Math.ceil(Math.log2(Math.max(1, m))), Math.floor(rt.config.wg / 16));
    blockN = Math.floor(rt.config.wg / blockM);
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
