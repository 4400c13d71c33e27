/// <reference types="@webgpu/types" />
// What every webgpu kernel needs: the device, the batching dispatcher, the buffer pool,
// sizes derived from the device limits, and the storage handle the backend hands out.
import { BufferUsage, MAP_MODE_READ, checkDevice, type DeviceContext } from './device-core.js';
import { BufferPool } from './buffer-pool.js';
import { Dispatcher, type KernelSpec } from './dispatcher.js';
import { PressureReclaimer } from './reclaim.js';

/** A tensor's storage on the webgpu backend: a pooled GPUBuffer. */
export class GpuStorage {
  constructor(public buffer: GPUBuffer, public readonly size: number) {}
  freed = false;
}

/** Sizes chosen from the adapter's limits, not from any one GPU. */
export interface KernelConfig {
  /** Threads per workgroup of the 1-D kernels, and of the tree reductions (a power of two). */
  wg: number;
  maxGroupsPerDim: number;
  maxBindingBytes: number;
  /**
   * Outputs from which a reduction (or softmax) runs a thread per row instead of a workgroup
   * per row: once there are enough rows to keep the device busy. A CPU rasteriser has a few
   * SIMD lanes per core and pays for every barrier, so there it is low.
   */
  serialMinOutputs: number;
  /**
   * Consecutive elements per thread in the strided kernels (binary, where, copy): 1 on a GPU,
   * where neighbouring threads should touch neighbouring addresses; 16 on a CPU rasteriser,
   * where the integer divisions that locate an element are the cost to spread.
   */
  stridedRun: number;
  /** Workgroups a matmul should have at least (smaller tiles otherwise): enough for every core or SM. */
  matmulMinGroups: number;
  /** The adapter is a CPU rasteriser (llvmpipe, lavapipe, SwiftShader). */
  cpu: boolean;
  /** matmul's kernel when the caller asks for none (the host's choice, WebGPUHost.matmulVariant). */
  matmulVariant: 'auto' | 'naive';
}

/** The work-split choices that differ between GPUs and CPU rasterisers. */
export function devicePolicy(cpu: boolean, cores: number): Pick<KernelConfig, 'serialMinOutputs' | 'stridedRun' | 'matmulMinGroups' | 'cpu'> {
  // A CPU rasteriser runs a workgroup per core at a time, on this machine's cores: two each.
  return { serialMinOutputs: cpu ? 64 : 8192, stridedRun: cpu ? 16 : 1, matmulMinGroups: cpu ? 2 * cores : 64, cpu };
}

export function kernelConfig(limits: GPUSupportedLimits, cpu: boolean, cores: number): KernelConfig {
  const wg = Math.min(256, 2 ** Math.floor(Math.log2(limits.maxComputeInvocationsPerWorkgroup)), limits.maxComputeWorkgroupSizeX);
  return {
    wg,
    maxGroupsPerDim: limits.maxComputeWorkgroupsPerDimension,
    maxBindingBytes: Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize),
    ...devicePolicy(cpu, cores),
    matmulVariant: 'auto',
  };
}

export class GpuRuntime {
  readonly pool: BufferPool;
  private readonly staging: BufferPool;
  readonly dispatcher: Dispatcher;
  readonly config: KernelConfig;
  /**
   * Bound where a kernel is specialised not to use a binding (no bias, no momentum buffer):
   * one for read slots and one for write slots, so two unused slots never alias a writable one.
   */
  readonly placeholder: GPUBuffer;
  readonly placeholderWrite: GPUBuffer;
  readbacks = 0;
  /** Runs the garbage collector when live buffers grow (tensors dropped without dispose). */
  readonly reclaimer: PressureReclaimer;

  constructor(readonly ctx: DeviceContext, maxDispatches: number) {
    // adam.wgsl binds five storage buffers (param, grad, m, v, vMax), the most of any kernel.
    const storageBindings = ctx.device.limits.maxStorageBuffersPerShaderStage;
    if (storageBindings < 5) {
      throw new Error(`initWebGPU: the adapter allows ${storageBindings} storage buffers per shader stage; ` +
        'the kernels need 5 (adam.wgsl): use the js or native backend on this device');
    }
    this.dispatcher = new Dispatcher(ctx, maxDispatches);
    // A buffer the pool gives up may still be named by the unsubmitted batch: destroy it after.
    const retire = (buffer: GPUBuffer) => this.dispatcher.onSubmit(() => buffer.destroy());
    this.pool = new BufferPool(ctx, BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST, 'storage',
      undefined, retire);
    this.staging = new BufferPool(ctx, BufferUsage.MAP_READ | BufferUsage.COPY_DST, 'staging', 64 * 1024 * 1024, retire);
    this.config = { ...kernelConfig(ctx.device.limits, ctx.info.cpu, ctx.host.cores), matmulVariant: ctx.host.matmulVariant ?? 'auto' };
    this.reclaimer = new PressureReclaimer(ctx.host.collectGarbage);
    this.placeholder = ctx.device.createBuffer({ size: 16, usage: BufferUsage.STORAGE, label: 'placeholder (read)' });
    this.placeholderWrite = ctx.device.createBuffer({ size: 16, usage: BufferUsage.STORAGE, label: 'placeholder (write)' });
  }

  /** Workgroups for `threads` threads of `wg` each: [x, y, 1], 2-D once x would overflow. */
  grid(threads: number, wg: number): [number, number, number] {
    const groups = Math.ceil(threads / wg);
    if (groups <= this.config.maxGroupsPerDim) return [groups, 1, 1];
    const x = this.config.maxGroupsPerDim;
    const y = Math.ceil(groups / x);
    if (y > this.config.maxGroupsPerDim) throw new Error(`webgpu backend: ${threads} threads exceed the dispatch limit`);
    return [x, y, 1];
  }

  /**
   * Dispatches `spec` on storages. A buffer written by the kernel may not be bound twice in
   * one dispatch (WebGPU forbids writable aliasing), so an output that is also an input is
   * computed into a temporary copy and copied back.
   */
  run(spec: KernelSpec, storages: readonly (GpuStorage | null)[], uniform: Uint8Array, groups: readonly [number, number, number]): void {
    const buffers = storages.map((s, i) => {
      if (s === null) return spec.bindings[i] === 'write' ? this.placeholderWrite : this.placeholder;
      if (s.freed) throw new Error(`webgpu ${spec.shader}: binding ${i} uses storage that was already freed`);
      return s.buffer;
    });
    const copyBack: [GPUBuffer, GPUBuffer][] = [];
    spec.bindings.forEach((kind, i) => {
      if (kind !== 'write' || storages[i] === null) return;   // placeholders are never aliased
      const original = buffers[i];
      if (!buffers.some((b, j) => j !== i && b === original)) return;
      const temp = this.pool.acquire(original.size);
      this.dispatcher.copy(original, 0, temp, 0, original.size);
      buffers[i] = temp;
      copyBack.push([temp, original]);
    });
    this.dispatcher.dispatch(spec, buffers, uniform, groups);
    for (const [temp, original] of copyBack) {
      this.dispatcher.copy(temp, 0, original, 0, original.size);
      this.dispatcher.onSubmit(() => this.pool.release(temp));
    }
  }

  alloc(size: number): GpuStorage {
    const bytes = Math.max(4, size * 4);
    if (!Number.isInteger(size) || size < 0) throw new Error(`webgpu alloc: size ${size} is not a non-negative integer`);
    if (bytes > this.config.maxBindingBytes) {
      throw new Error(`webgpu alloc: ${size} float32 elements (${bytes} bytes) exceed this device's largest storage binding ` +
        `(${this.config.maxBindingBytes} bytes); split the tensor or use the js/native backend`);
    }
    checkDevice(this.ctx, 'alloc');
    this.reclaimer.check(this.pool.heldBytes);
    return new GpuStorage(this.pool.acquire(bytes), size);
  }

  upload(data: Float32Array): GpuStorage {
    const s = this.alloc(data.length);
    this.write(s, data);
    return s;
  }

  /** Overwrites the first data.length elements of s with host data. */
  write(s: GpuStorage, data: Float32Array): void {
    if (data.length > s.size) throw new Error(`webgpu write: ${data.length} elements do not fit a ${s.size}-element storage`);
    // writeBuffer runs at queue time, before any dispatch still waiting in the open batch:
    // submit those first, in case one of them reads this buffer's old contents (or, recycled,
    // a previous owner's).
    this.dispatcher.flush();
    if (data.length > 0) this.ctx.device.queue.writeBuffer(s.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  free(s: GpuStorage): void {
    if (s.freed) return;
    s.freed = true;
    this.pool.release(s.buffer);
  }

  /** Copies `size` floats back to the host: one staging copy, one map. Counted in `readbacks`. */
  async read(s: GpuStorage, size: number): Promise<Float32Array> {
    if (s.freed) throw new Error('webgpu read: storage was already freed');
    if (size > s.size) throw new Error(`webgpu read: asked for ${size} elements of a ${s.size}-element storage`);
    checkDevice(this.ctx, 'read');
    const out = new Float32Array(size);
    if (size === 0) return out;
    const bytes = size * 4;
    const staging = this.staging.acquire(bytes);
    this.dispatcher.copy(s.buffer, 0, staging, 0, bytes);
    this.dispatcher.flush();
    this.readbacks++;
    try {
      await staging.mapAsync(MAP_MODE_READ, 0, bytes);
    } catch (e) {
      checkDevice(this.ctx, 'read');
      throw new Error(`webgpu read: mapping the result failed: ${(e as Error).message}`);
    }
    out.set(new Float32Array(staging.getMappedRange(0, bytes)));
    staging.unmap();
    this.staging.release(staging);
    checkDevice(this.ctx, 'read');
    return out;
  }

  destroy(): void {
    this.dispatcher.flush();
    this.pool.trim();
    this.staging.trim();
    this.dispatcher.flush();
    this.dispatcher.destroy();
    this.placeholder.destroy();
    this.placeholderWrite.destroy();
  }
}
