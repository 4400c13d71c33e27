// Which backend runs the kernels: `native` when the addon loaded, else `wasm` when its module
// loaded, else `js`; `webgpu` on request (its device set-up is asynchronous).
// TESSERA_BACKEND=js|native|wasm|webgpu overrides the default.
import { getBackend, hasBackend, registerBackend, registerLazyBackend, setBackend, setDefaultBackendChooser, type Backend, type BackendName } from './backend.js';
import { jsBackend } from './js/index.js';

registerBackend(jsBackend);

/** Why the native or wasm backend is missing; null while not yet asked for, or loaded. */
const reasons: Record<'native' | 'wasm', string | null> = { native: null, wasm: null };

type HostLoader = () => { backend: Backend | null; reason: string };

/**
 * Registers `name` to load on first use. Its loader module is imported dynamically, so a broken
 * or missing module (a partial install) costs that backend, never the whole engine; the backend
 * loads once (the addon, or the wasm module), and when it cannot, the reason is kept.
 */
async function registerHostBackend(name: 'native' | 'wasm', importLoader: () => Promise<HostLoader>): Promise<void> {
  let load: HostLoader | null = null;
  try {
    load = await importLoader();
  } catch (e) {
    reasons[name] = `the ${name} loader module failed to load: ${(e as Error).message}`;
  }
  registerLazyBackend(name, () => {
    if (reasons[name] !== null || load === null) return null;
    const { backend, reason } = load();
    if (!backend) reasons[name] = reason;
    return backend;
  }, () => reasons[name] ?? 'not loaded');
}
await registerHostBackend('native', async () => (await import('./native/index.js')).loadNativeBackend);
await registerHostBackend('wasm', async () => (await import('./wasm/index.js')).loadWasmBackend);

let warned = false;

setDefaultBackendChooser(() => {
  const requested = process.env.TESSERA_BACKEND as BackendName | undefined;
  if (requested === 'webgpu') {
    throw new Error("TESSERA_BACKEND=webgpu: the webgpu device is set up asynchronously; call 'await useBackend(\"webgpu\")' (the tessera CLI does) before creating tensors");
  }
  if (requested !== undefined && requested !== 'js' && requested !== 'native' && requested !== 'wasm') {
    throw new Error(`TESSERA_BACKEND='${requested}' is not a backend (expected js, native, wasm or webgpu)`);
  }
  if (requested === 'js') return jsBackend;
  if (requested === 'wasm') {
    if (hasBackend('wasm')) return getBackend('wasm');
    throw new Error(`TESSERA_BACKEND=wasm: the wasm backend is unavailable: ${reasons.wasm}`);
  }
  if (hasBackend('native')) return getBackend('native');
  if (requested !== 'native' && hasBackend('wasm')) {
    if (!warned) {
      warned = true;
      process.emitWarning(`the native backend is unavailable (${reasons.native}); using the wasm backend`, { code: 'TESSERA_NO_NATIVE' });
    }
    return getBackend('wasm');
  }
  if (requested === 'native' || !warned) {
    warned = true;
    const noWasm = requested === 'native' ? '' : `, nor the wasm backend (${reasons.wasm})`;
    process.emitWarning(`the native backend is unavailable (${reasons.native})${noWasm}; using the js backend`, { code: 'TESSERA_NO_NATIVE' });
  }
  return jsBackend;
});

/**
 * Makes `name` the current backend, setting it up first where needed (webgpu asks for an
 * adapter and a device). Throws a clear error when it cannot be had.
 */
export async function useBackend(name: BackendName): Promise<Backend> {
  if (name === 'native' && !hasBackend('native')) {
    throw new Error(`useBackend: the native backend is unavailable: ${reasons.native}`);
  }
  if (name === 'wasm' && !hasBackend('wasm')) {
    throw new Error(`useBackend: the wasm backend is unavailable: ${reasons.wasm}`);
  }
  if (name === 'webgpu' && !hasBackend('webgpu')) {
    const { initWebGPU } = await import('./webgpu/index.js');
    registerBackend(await initWebGPU());
  }
  return setBackend(name);
}

/** Sets up the default backend, honouring TESSERA_BACKEND (including webgpu). */
export async function initDefaultBackend(): Promise<Backend> {
  const requested = process.env.TESSERA_BACKEND as BackendName | undefined;
  if (requested) return useBackend(requested);
  return getBackend();
}

/**
 * Whether `name` can run here, and why not. Asking loads it (the addon, or the wasm module and its
 * worker threads), so ask only for what you may use: the CLI asks for wasm only when native is missing.
 */
export function backendAvailability(name: BackendName): { name: BackendName; available: boolean; reason?: string } {
  const available = hasBackend(name);
  if (available || name === 'js') return { name, available: true };
  const reason = name === 'webgpu' ? "not set up: call useBackend('webgpu')" : reasons[name];
  return { name, available, reason: reason ?? undefined };
}

/** What can run here: each backend and why one is missing (loads every backend but webgpu). */
export function availableBackends(): { name: BackendName; available: boolean; reason?: string }[] {
  return (['js', 'native', 'wasm', 'webgpu'] as const).map(backendAvailability);
}
