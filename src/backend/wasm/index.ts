// The `wasm` backend in Node: native/'s C++ kernels compiled to WebAssembly with 128-bit SIMD
// (scripts/build-wasm.mjs), for where the native addon is not loaded. Float32 only. The kernels
// are make-backend.ts's; this file loads the package's module with TESSERA_THREADS threads.
// A page loads it with browser.ts instead.
import { availableParallelism } from 'node:os';
import type { Backend } from '../backend.js';
import { threadsEnvProblem } from '../kernel-args.js';
import { loadWasmModule, type WasmModule } from './module.js';
import { MAX_WASM_THREADS } from './instance.js';
import { makeBackend, moduleInfo, opCountProblem, type WasmInfo } from './make-backend.js';

type F32 = Float32Array;
export type { WasmInfo } from './make-backend.js';

let state: { backend: Backend<F32> | null; module: WasmModule | null; reason: string } | null = null;

/**
 * Instantiates the module and builds the backend, with TESSERA_THREADS threads (default: one per
 * core) where worker threads exist; on failure `backend` is null and `reason` says why.
 */
export function loadWasmBackend(): { backend: Backend<F32> | null; reason: string } {
  state ??= setUp();
  return state;
}

function setUp(): { backend: Backend<F32> | null; module: WasmModule | null; reason: string } {
  const { module, reason } = loadWasmModule();
  if (module === null) return ({ backend: null, module: null, reason });
  const stale = opCountProblem(module);
  if (stale !== null) return ({ backend: null, module: null, reason: stale });
  const problem = threadsEnvProblem(process.env.TESSERA_THREADS, MAX_WASM_THREADS);
  if (problem !== null) return ({ backend: null, module: null, reason: `wasm backend: ${problem}` });
  const threads = process.env.TESSERA_THREADS ? Number(process.env.TESSERA_THREADS) : Math.min(availableParallelism(), MAX_WASM_THREADS);
  // Threads are a speed-up, never a condition: without them the backend runs on one thread and says why, once.
  const noThreads = threads > 1 ? startThreads(module, threads) : null;
  if (noThreads !== null) process.emitWarning(`${noThreads}; the wasm backend runs on one thread`, { code: 'TESSERA_WASM_ONE_THREAD' });
  return { backend: makeBackend(module), module, reason: 'loaded' };
}

/** Starts the workers for `threads`, or says why they cannot run (the module then stays on one thread). */
export function startThreads(module: Pick<WasmModule, 'setThreads'>, threads: number,
  platform: { SharedArrayBuffer?: unknown; Atomics?: unknown } = globalThis): string | null {
  const missing = (['SharedArrayBuffer', 'Atomics'] as const).filter((name) => typeof platform[name] === 'undefined');
  if (missing.length > 0) return `wasm backend: no ${missing.join(' or ')} here, so no worker threads`;
  try {
    module.setThreads(threads);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export { MAX_WASM_THREADS } from './instance.js';

function loadedModule(fn: string): WasmModule {
  const { backend, reason } = loadWasmBackend();
  if (backend === null || state?.module == null) throw new Error(`${fn}: the wasm backend is not available (${reason})`);
  return state.module;
}

export function wasmInfo(): WasmInfo {
  return moduleInfo(loadedModule('wasmInfo'));
}

/** Ends the wasm backend's worker threads (it then runs on one thread until setWasmThreads). */
export async function stopWasmThreads(): Promise<void> {
  await loadedModule('stopWasmThreads').stopWorkers();
}

/** Sets how many threads run the wasm kernels (workers are started on first need and kept). */
export function setWasmThreads(n: number): void {
  const m = loadedModule('setWasmThreads');
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new RangeError(`setWasmThreads: expected an integer in [1, ${MAX_WASM_THREADS}], got ${n}`);
  }
  m.setThreads(n);
}
