// Which backend runs the kernels: `native` when the addon loaded, else `wasm` when its module
// loaded, else `js`; `webgpu` on request (its device set-up is asynchronous).
// TESSERA_BACKEND=js|native|wasm|webgpu overrides the default.
import { getBackend, hasBackend, registerBackend, registerLazyBackend, setBackend, setDefaultBackendChooser, type Backend, type BackendName } from './backend.js';
import { jsBackend } from './js/index.js';

registerBackend(jsBackend);

let nativeReason: string | null = null;

// The loader is imported dynamically so that a broken or missing native module (a partial
// install) costs the native backend, never the whole engine.
type NativeLoader = typeof import('./native/index.js').loadNativeBackend;
let loadNativeBackend: NativeLoader | null = null;
try {
  ({ loadNativeBackend } = await import('./native/index.js'));
} catch (e) {
  nativeReason = `the native loader module failed to load: ${(e as Error).message}`;
}

/** Loads the addon once (on first use of `native`); null with the reason kept when it cannot. */
function loadNative(): Backend | null {
  if (nativeReason !== null || loadNativeBackend === null) return null;
  const { backend, reason } = loadNativeBackend();
  if (!backend) nativeReason = reason;
  return backend;
}
registerLazyBackend('native', loadNative, () => nativeReason ?? 'not loaded');

let wasmReason: string | null = null;
type WasmLoader = typeof import('./wasm/index.js').loadWasmBackend;
let loadWasmBackend: WasmLoader | null = null;
try {
  ({ loadWasmBackend } = await import('./wasm/index.js'));
} catch (e) {
  wasmReason = `the wasm loader module failed to load: ${(e as Error).message}`;
}

/** Instantiates the module once (on first use of `wasm`); null with the reason kept when it cannot. */
function loadWasm(): Backend | null {
  if (wasmReason !== null || loadWasmBackend === null) return null;
  const { backend, reason } = loadWasmBackend();
  if (!backend) wasmReason = reason;
  return backend;
}
registerLazyBackend('wasm', loadWasm, () => wasmReason ?? 'not loaded');

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
    throw new Error(`TESSERA_BACKEND=wasm: the wasm backend is unavailable: ${wasmReason}`);
  }
  if (hasBackend('native')) return getBackend('native');
  if (requested !== 'native' && hasBackend('wasm')) {
    if (!warned) {
      warned = true;
      process.emitWarning(`the native backend is unavailable (${nativeReason}); using the wasm backend`, { code: 'TESSERA_NO_NATIVE' });
    }
    return getBackend('wasm');
  }
  if (requested === 'native' || !warned) {
    warned = true;
    const noWasm = requested === 'native' ? '' : `, nor the wasm backend (${wasmReason})`;
    process.emitWarning(`the native backend is unavailable (${nativeReason})${noWasm}; using the js backend`, { code: 'TESSERA_NO_NATIVE' });
  }
  return jsBackend;
});

/**
 * Makes `name` the current backend, setting it up first where needed (webgpu asks for an
 * adapter and a device). Throws a clear error when it cannot be had.
 */
export async function useBackend(name: BackendName): Promise<Backend> {
  if (name === 'native' && !hasBackend('native')) {
    throw new Error(`useBackend: the native backend is unavailable: ${nativeReason}`);
  }
  if (name === 'wasm' && !hasBackend('wasm')) {
    throw new Error(`useBackend: the wasm backend is unavailable: ${wasmReason}`);
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
  const reason = name === 'native' ? nativeReason : name === 'wasm' ? wasmReason : "not set up: call useBackend('webgpu')";
  return { name, available, reason: reason ?? undefined };
}

/** What can run here: each backend and why one is missing (loads every backend but webgpu). */
export function availableBackends(): { name: BackendName; available: boolean; reason?: string }[] {
  return (['js', 'native', 'wasm', 'webgpu'] as const).map(backendAvailability);
}
