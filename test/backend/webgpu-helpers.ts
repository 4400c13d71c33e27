// Shared set-up of the webgpu tests: bring up the backend once per test file, or explain
// why not. Without an adapter the tests skip with the reason, except under CI (process.env.CI),
// where a missing adapter is a failure: CI installs Mesa, so there must be one.
import { initWebGPU, type WebGPUBackend } from '../../src/backend/webgpu/index.js';
import { devicePolicy, type GpuStorage } from '../../src/backend/webgpu/runtime.js';
import { Generator } from '../../src/random.js';

export interface WebGPUSetup {
  backend: WebGPUBackend | null;
  reason: string;
}

export async function setupWebGPU(): Promise<WebGPUSetup> {
  try {
    return { backend: await initWebGPU(), reason: '' };
  } catch (e) {
    return { backend: null, reason: (e as Error).message };
  }
}

/** True when the tests should skip (and says so); under CI a missing adapter is not skippable. */
export function shouldSkip(setup: WebGPUSetup): boolean {
  if (setup.backend) return false;
  if (process.env.CI) return false;
  console.warn(`webgpu tests skipped: ${setup.reason}`);
  return true;
}

/** The backend; a failure naming why there is none (outside CI the describe block skips first). */
export function requireBackend(setup: WebGPUSetup): WebGPUBackend {
  if (!setup.backend) throw new Error(`no WebGPU adapter (CI requires one): ${setup.reason}`);
  return setup.backend;
}

/** Runs fn under the GPU and the CPU-rasteriser work split (devicePolicy in runtime.ts). */
export async function underBothPolicies(backend: WebGPUBackend, fn: () => Promise<void>): Promise<void> {
  const config = backend.runtime.config;
  const saved = { ...config };
  try {
    for (const cpu of [false, true]) {
      Object.assign(config, devicePolicy(cpu, backend.runtime.ctx.host.cores));
      await fn();
    }
  } finally {
    Object.assign(config, saved);
  }
}

export function randomF32(gen: Generator, n: number, low = -1, high = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = low + (high - low) * gen.uniform();
  return out;
}

export async function readAll(backend: WebGPUBackend, s: GpuStorage): Promise<Float32Array> {
  return (await backend.read(s, 'float32', s.size)) as Float32Array;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
  return s;
}

/** Strides of `shape` broadcast to `outShape` (right-aligned, 0 on size-1 or missing axes). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  return outShape.map((_, d) => {
    const i = d - (outShape.length - shape.length);
    return i < 0 || shape[i] === 1 ? 0 : own[i];
  });
}
