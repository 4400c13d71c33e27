/// <reference types="@webgpu/types" />
// The part of device set-up that needs no particular host: from an adapter to the device and
// its context, the spec's numeric flags, and the error bookkeeping. Where the adapter comes
// from is the host's: device.ts finds one through Node's `webgpu` package (Dawn), a browser
// page passes navigator.gpu (webgpu/browser.ts). Nothing here imports a Node module, so the
// page's bundle can include it.
//
// The device is created with the adapter's own limits: WebGPU's defaults are much lower
// (e.g. 128 or 256 invocations per workgroup), and the kernels size their tiles from these.

/** Numeric flags of the WebGPU spec (GPUBufferUsage etc. are not globals in Node). */
export const BufferUsage = {
  MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80,
} as const;
export const MAP_MODE_READ = 0x1;
export const SHADER_STAGE_COMPUTE = 0x4;

export interface WebGPUOptions {
  /** Skip the default (Vulkan/Metal/D3D12) adapter and go straight to OpenGL compatibility mode. */
  preferOpenGL?: boolean;
  /** Extra Dawn toggles passed to `create()`, e.g. ['enable-dawn-features=...']. */
  dawnFlags?: string[];
  /** Dispatches encoded before the batch is submitted without being asked to (default 64). */
  maxDispatchesPerSubmit?: number;
}

export interface WebGPUInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** 'core' or 'compatibility': the feature level the adapter was requested with. */
  featureLevel: 'core' | 'compatibility';
  /** Which Dawn backend served it: 'default' (Vulkan/Metal/D3D12) or 'opengl'. */
  backend: 'default' | 'opengl';
  /** True when the adapter is a CPU rasteriser (llvmpipe, lavapipe, SwiftShader). */
  cpu: boolean;
  limits: Record<string, number>;
}

export interface DeviceContext {
  /** The GPU object the adapter came from: kept alive as long as the device (dawn.node aborts otherwise). */
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
  info: WebGPUInfo;
  /** Set once the device is lost; every later call throws it. */
  lost: Error | null;
  /** Errors reported asynchronously (validation, out-of-memory); thrown at the next read/sync. */
  pendingErrors: string[];
  /** What the host supplies besides the device. */
  host: WebGPUHost;
}

/** What the runtime needs from its host (Node or a browser page) besides the GPU. */
export interface WebGPUHost {
  /** The shaders/*.wgsl sources by file name without .wgsl (read from disk in Node, bundled in a page). */
  shaders: ReadonlyMap<string, string>;
  /** Logical CPU cores: a CPU rasteriser runs a workgroup per core (runtime.ts's devicePolicy). */
  cores: number;
  /** Runs a full garbage collection (reclaim.ts), false when it could not; null where the host offers none (a browser page). */
  collectGarbage: (() => boolean) | null;
  /**
   * matmul's kernel when none is asked for (kernels-matmul.ts): 'auto' (tiled, naive for thin
   * products) unless set. A browser page on SwiftShader sets 'naive': SwiftShader takes seconds
   * to compile each specialisation of matmul_tiled.wgsl (7–11 s on a loaded 2-core machine, against
   * 0.1–0.3 s for matmul_naive.wgsl), and a training step needs about ten of them.
   */
  matmulVariant?: 'auto' | 'naive';
}

/** An adapter as a host found it, with how it was asked for. */
export interface FoundAdapter {
  gpu: GPU;
  adapter: GPUAdapter;
  featureLevel: WebGPUInfo['featureLevel'];
  backend: WebGPUInfo['backend'];
}

function limitsRecord(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  // GPUSupportedLimits exposes its limits as prototype getters, so for-in (not Object.keys).
  for (const key in limits) {
    const v = (limits as unknown as Record<string, unknown>)[key];
    if (typeof v === 'number') out[key] = v;
  }
  return out;
}

function describeAdapter(adapter: GPUAdapter, featureLevel: WebGPUInfo['featureLevel'], backend: WebGPUInfo['backend'],
  limits: Record<string, number>): WebGPUInfo {
  const i = adapter.info;
  const text = `${i.vendor} ${i.architecture} ${i.device} ${i.description}`.toLowerCase();
  return {
    vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description,
    featureLevel, backend,
    cpu: /llvmpipe|lavapipe|swiftshader|software/.test(text) || i.isFallbackAdapter === true,
    limits,
  };
}

/** Creates the device on a found adapter, with the adapter's own limits; rejects saying why. */
export async function openDevice(found: FoundAdapter, host: WebGPUHost): Promise<DeviceContext> {
  const { gpu, adapter, featureLevel, backend } = found;
  const limits = limitsRecord(adapter.limits);
  // Ask for everything the adapter offers: tile and workgroup sizes are chosen from these.
  const requiredLimits: Record<string, number> = {};
  for (const key of Object.keys(limits)) if (key !== 'maxImmediateSize') requiredLimits[key] = limits[key];
  let device: GPUDevice;
  try {
    // 'timestamp-query' where the adapter has it: GPU time per kernel for `tessera profile` (kernel-timer.ts).
    const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  } catch (e) {
    throw new Error(`initWebGPU: the adapter refused a device with its own limits: ${(e as Error).message}`);
  }
  const ctx: DeviceContext = {
    gpu, adapter, device, info: describeAdapter(adapter, featureLevel, backend, limitsRecord(device.limits)),
    lost: null, pendingErrors: [], host,
  };
  void device.lost.then((info) => {
    ctx.lost = new Error(`webgpu backend: the device was lost (${info.reason}): ${info.message}. ` +
      'Re-run initWebGPU() to get a new device; tensors on the old one are gone');
  });
  device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
    ctx.pendingErrors.push(`${ev.error.constructor?.name ?? 'GPUError'}: ${ev.error.message}`);
  };
  return ctx;
}

/** Throws the device-lost error, or errors Dawn reported since the last check. */
export function checkDevice(ctx: DeviceContext, where: string): void {
  if (ctx.lost) throw ctx.lost;
  if (ctx.pendingErrors.length > 0) {
    const errors = ctx.pendingErrors.splice(0);
    throw new Error(`webgpu backend: ${where}: the device reported ${errors.length} error(s): ${errors.join(' | ')}`);
  }
}
