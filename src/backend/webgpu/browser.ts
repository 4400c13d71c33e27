/// <reference types="@webgpu/types" />
// The webgpu backend in a browser page: the adapter comes from the page's navigator.gpu and the
// WGSL sources are given by the caller (bundled with the page, the same shaders/*.wgsl files),
// where Node's initWebGPU (index.ts) loads Dawn and reads shaders/ from disk. Nothing here
// imports a Node module.
//
//   const backend = await initWebGPUFrom(navigator.gpu, { shaders, cores: navigator.hardwareConcurrency });
import { openDevice } from './device-core.js';
import { backendOnDevice, type WebGPUBackend } from './make-backend.js';

export interface BrowserWebGPUOptions {
  /** shaders/*.wgsl by file name without .wgsl. */
  shaders: ReadonlyMap<string, string>;
  /** Logical CPU cores (navigator.hardwareConcurrency): sizes the work split on a CPU adapter. */
  cores: number;
  /** Dispatches encoded before the batch is submitted without being asked to (default 64). */
  maxDispatchesPerSubmit?: number;
  /** matmul's kernel (device-core.ts's WebGPUHost.matmulVariant); default 'naive' on a CPU fallback adapter, else 'auto'. */
  matmulVariant?: 'auto' | 'naive';
}

/** The backend on `gpu`'s adapter; rejects saying why when there is none or it refuses a device. */
export async function initWebGPUFrom(gpu: GPU | undefined, options: BrowserWebGPUOptions): Promise<WebGPUBackend> {
  if (!gpu) throw new Error('initWebGPUFrom: this page has no navigator.gpu (WebGPU is off, or the page is not a secure context)');
  if (options.shaders.size === 0) throw new Error('initWebGPUFrom: no shader sources given (the bundle should carry shaders/*.wgsl)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('initWebGPUFrom: navigator.gpu.requestAdapter() gave no adapter');
  const ctx = await openDevice({ gpu, adapter, featureLevel: 'core', backend: 'default' },
    { shaders: options.shaders, cores: Math.max(1, options.cores), collectGarbage: null });
  ctx.host.matmulVariant = options.matmulVariant ?? (ctx.info.cpu ? 'naive' : 'auto');
  return backendOnDevice(ctx, options.maxDispatchesPerSubmit);
}
