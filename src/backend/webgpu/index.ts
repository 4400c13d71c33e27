// The `webgpu` backend: the kernels of Backend as WGSL compute shaders (shaders/*.wgsl),
// run in Node through the optional `webgpu` npm package (Dawn). A browser page uses browser.ts,
// which takes navigator.gpu and bundled shader sources instead (the Backend object is shared:
// make-backend.ts).
//
//   const backend = await initWebGPU();   // rejects, saying why, without package or adapter
//   registerBackend(backend);             // the caller registers it (src/backend/backend.ts)
//
// Kernels only record work; results come back through read() (readSync is always null).
import { createDeviceContext, type WebGPUInfo, type WebGPUOptions } from './device.js';
import { loadShaders } from './shader-source.js';
import { backendOnDevice, type WebGPUBackend, type WebGPUStats } from './make-backend.js';

export type { WebGPUInfo, WebGPUOptions } from './device.js';
export { GpuStorage } from './runtime.js';
export type { WebGPUBackend, WebGPUStats } from './make-backend.js';

let active: { backend: WebGPUBackend; info: WebGPUInfo } | null = null;
let pending: Promise<WebGPUBackend> | null = null;

/**
 * Creates the webgpu backend (once; later calls return the same one while its device lives).
 * Rejects with the reason when the `webgpu` package or an adapter is missing.
 */
export async function initWebGPU(options: WebGPUOptions = {}): Promise<WebGPUBackend> {
  if (active && !active.backend.runtime.ctx.lost) return active.backend;
  if (pending) return pending;
  pending = (async () => {
    loadShaders();   // fail early, before any device work, if shaders/ is missing
    const ctx = await createDeviceContext(options);
    const backend = backendOnDevice(ctx, options.maxDispatchesPerSubmit, (b) => { if (active?.backend === b) active = null; });
    active = { backend, info: ctx.info };
    return backend;
  })();
  try {
    return await pending;
  } finally {
    pending = null;
  }
}

/** Which adapter the backend runs on (null before initWebGPU succeeded). */
export function webgpuInfo(): WebGPUInfo | null {
  return active ? active.info : null;
}

/** Memory and work counters of the live backend (null before initWebGPU succeeded). */
export function webgpuStats(): WebGPUStats | null {
  return active ? active.backend.stats() : null;
}
