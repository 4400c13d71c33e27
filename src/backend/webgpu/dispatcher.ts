/// <reference types="@webgpu/types" />
// Encodes kernels into one command encoder and submits them in batches.
//
// Kernels never wait: they record a dispatch into an open compute pass. The batch is
// submitted when someone needs the results (read, sync), before a queue-level write
// (upload: writeBuffer runs at queue time, so pending dispatches must go first), or after
// `maxDispatches` dispatches. Uniform parameters go into one arena buffer, one aligned
// slot per dispatch of the batch, written with a single writeBuffer right before submit:
// queue operations are ordered, so the next batch may reuse the arena.
import { BufferUsage, SHADER_STAGE_COMPUTE, checkDevice, type DeviceContext } from './device-core.js';
import { renderShaderFrom } from './shader-template.js';
import type { BufferPool } from './buffer-pool.js';
import { KernelTimer } from './kernel-timer.js';

/** A storage binding read by the kernel, or written (read_write) by it. The uniform binding comes last. */
export type BindingKind = 'read' | 'write';

export interface KernelSpec {
  /** File name in shaders/ without .wgsl. */
  shader: string;
  entry: string;
  /** Template values; together with shader and entry they form the pipeline's cache key. */
  defines: Record<string, string | number | boolean>;
  /** Storage bindings 0..n-1; binding n is the uniform struct. */
  bindings: readonly BindingKind[];
}

interface CachedPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

export interface DispatchStats {
  dispatches: number;
  submits: number;
  pipelines: number;
}

export class Dispatcher {
  private readonly pipelines = new Map<string, CachedPipeline>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly arena: GPUBuffer;
  private readonly arenaHost: Uint8Array<ArrayBuffer>;
  private readonly slotBytes: number;
  private slot = 0;
  private dispatchCount = 0;
  private submitCount = 0;
  /** Temporaries of the open batch, returned to their pool once it is submitted. */
  private readonly afterSubmit: (() => void)[] = [];
  /** Timestamps around the dispatches of timed kernel calls; null without the device feature 'timestamp-query'. */
  readonly timer: KernelTimer | null;

  constructor(private readonly ctx: DeviceContext, private readonly maxDispatches: number) {
    this.timer = ctx.device.features.has('timestamp-query') ? new KernelTimer(ctx.device, maxDispatches) : null;
    const align = ctx.device.limits.minUniformBufferOffsetAlignment;
    this.slotBytes = Math.max(256, align);
    this.arena = ctx.device.createBuffer({
      size: this.slotBytes * maxDispatches, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST, label: 'uniform arena',
    });
    this.arenaHost = new Uint8Array(this.slotBytes * maxDispatches);
  }

  /** Records one dispatch. `groups` comes from grid helpers that respect maxComputeWorkgroupsPerDimension. */
  dispatch(spec: KernelSpec, buffers: readonly GPUBuffer[], uniform: Uint8Array, groups: readonly [number, number, number]): void {
    if (buffers.length !== spec.bindings.length) {
      throw new Error(`webgpu dispatch ${spec.shader}/${spec.entry}: ${buffers.length} buffers for ${spec.bindings.length} bindings`);
    }
    if (groups[0] === 0 || groups[1] === 0 || groups[2] === 0) return;
    if (uniform.byteLength > this.slotBytes) throw new Error(`webgpu dispatch ${spec.shader}: uniform struct too large`);
    checkDevice(this.ctx, `${spec.shader}/${spec.entry}`);
    if (this.slot === this.maxDispatches || this.timer?.full) this.flush();
    const { pipeline, layout } = this.pipelineFor(spec);
    const offset = this.slot * this.slotBytes;
    this.arenaHost.set(uniform, offset);
    this.slot++;
    const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
    entries.push({ binding: buffers.length, resource: { buffer: this.arena, offset, size: uniform.byteLength } });
    const bindGroup = this.ctx.device.createBindGroup({ layout, entries });
    // A timed call's dispatch gets a pass of its own: timestamps are written only around passes.
    const timestampWrites = this.timer?.nextPass() ?? null;
    if (timestampWrites) this.closePass();
    const pass = timestampWrites ? this.openPass(timestampWrites) : this.openPass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    if (timestampWrites) this.closePass();
    this.dispatchCount++;
  }

  /** Records a buffer-to-buffer copy (ends the open compute pass). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    if (bytes === 0) return;
    this.closePass();
    this.openEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Runs `fn` once the open batch has been submitted (to recycle its temporaries). */
  onSubmit(fn: () => void): void {
    this.afterSubmit.push(fn);
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    this.closePass();
    this.timer?.resolve(this.encoder);
    if (this.slot > 0) this.ctx.device.queue.writeBuffer(this.arena, 0, this.arenaHost, 0, this.slot * this.slotBytes);
    this.ctx.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.slot = 0;
    this.submitCount++;
    for (const fn of this.afterSubmit.splice(0)) fn();
  }

  /** Submits and waits until the GPU has finished all of it. */
  async sync(): Promise<void> {
    this.flush();
    await this.ctx.device.queue.onSubmittedWorkDone();
    checkDevice(this.ctx, 'sync');
  }

  stats(): DispatchStats {
    return { dispatches: this.dispatchCount, submits: this.submitCount, pipelines: this.pipelines.size };
  }

  destroy(): void {
    this.timer?.destroy();
    this.arena.destroy();
  }

  private pipelineFor(spec: KernelSpec): CachedPipeline {
    const key = `${spec.shader}:${spec.entry}:${JSON.stringify(spec.defines)}`;
    let cached = this.pipelines.get(key);
    if (cached) return cached;
    const { device } = this.ctx;
    const code = renderShaderFrom(this.ctx.host.shaders, spec.shader, spec.defines);
    const module = device.createShaderModule({ code, label: spec.shader });
    // Explicit layouts (not 'auto'): a shader specialised to skip a binding (no bias, no
    // momentum) still takes the same bind group.
    const entries: GPUBindGroupLayoutEntry[] = spec.bindings.map((kind, binding) => ({
      binding, visibility: SHADER_STAGE_COMPUTE,
      buffer: { type: kind === 'read' ? 'read-only-storage' : 'storage' },
    }));
    entries.push({ binding: spec.bindings.length, visibility: SHADER_STAGE_COMPUTE, buffer: { type: 'uniform' } });
    const layout = device.createBindGroupLayout({ entries, label: key });
    device.pushErrorScope('validation');
    const pipeline = device.createComputePipeline({
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: spec.entry },
      label: key,
    });
    void device.popErrorScope().then(async (err) => {
      if (!err) return;
      const info = await module.getCompilationInfo();
      const lines = info.messages.map((m) => `${m.type} ${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
      this.ctx.pendingErrors.push(`shader ${spec.shader}.wgsl (${spec.entry}, ${JSON.stringify(spec.defines)}) failed: ${err.message} ${lines}`);
    });
    cached = { pipeline, layout };
    this.pipelines.set(key, cached);
    return cached;
  }

  private openEncoder(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.ctx.device.createCommandEncoder();
    return this.encoder;
  }

  private openPass(timestampWrites?: GPUComputePassTimestampWrites): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.openEncoder().beginComputePass(timestampWrites ? { timestampWrites } : undefined);
    return this.pass;
  }

  private closePass(): void {
    if (this.pass) { this.pass.end(); this.pass = null; }
  }
}
