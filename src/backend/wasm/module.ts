// Finding build/tessera.wasm (made by scripts/build-wasm.mjs from native/'s kernels) in Node and
// instantiating it (instance.ts) with worker_threads for native/wasm_runtime.cc's pool. The thread
// that calls the kernels takes part and, once its own share is done, waits for the tasks workers
// took: in Node in Atomics.wait (callerMayBlock); on a browser's main thread, which may not block,
// the pool spins instead (the playground's server sends COOP/COEP so a page is cross-origin isolated).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../../util/package-root.js';
import { instantiateWasmBytes, type WasmModule } from './instance.js';

export type { WasmExports, WasmModule } from './instance.js';

/** build/tessera.wasm of the package at `root`, or why there is none (the build script's reason). */
export function findWasmFile(root: string | null): { file: string } | { missing: string } {
  if (root === null) return { missing: 'no package root (package.json) above src/backend/wasm/module.ts' };
  const file = join(root, 'build', 'tessera.wasm');
  if (existsSync(file)) return { file };
  let why = 'it was never built';
  const status = join(root, 'build', 'wasm-status.json');
  if (existsSync(status)) {
    try { why = String((JSON.parse(readFileSync(status, 'utf8')) as { reason?: unknown }).reason ?? why); } catch { /* keep default */ }
  }
  return { missing: `${file} is missing (${why}); run \`node scripts/build-wasm.mjs\` in ${root} (needs clang, lld and wasi-libc)` };
}

// Each worker: its own instance of the module on the shared memory, with its own stack and
// thread-locals carved from the heap by the main thread; it says it is parked, then runs the pool's loop.
// instance.ts's joinPool, written out: see web-worker.ts for why this is a string.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, id, stackTop, tls, ready } = workerData;
const e = new WebAssembly.Instance(module, { env: { memory } }).exports;
e.__stack_pointer.value = stackTop;
e.__wasm_init_tls(tls);
const flag = new Int32Array(memory.buffer, ready, 1);
Atomics.add(flag, 0, 1);
Atomics.notify(flag, 0);
e.tessera_worker_loop(id);
`;

function root(): string | null {
  try { return packageRoot(); } catch { return null; }
}

/** Instantiates the module file on a fresh shared memory, with worker_threads for the pool; throws with the reason when it cannot. */
function instantiateWasm(file: string): WasmModule {
  return instantiateWasmBytes(readFileSync(file), file, (start) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: start });
    // Unreferenced: parked workers never keep the process alive (it exits as if single-threaded).
    worker.unref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    return { exited: () => exited };
  }, true);
}

let loaded: { module: WasmModule | null; reason: string } | null = null;

/** The module of this package, instantiated once; null with the reason when it is not there. */
export function loadWasmModule(): { module: WasmModule | null; reason: string } {
  if (loaded !== null) return loaded;
  const found = findWasmFile(root());
  if ('missing' in found) {
    loaded = { module: null, reason: `wasm backend: ${found.missing}` };
    return loaded;
  }
  try {
    loaded = { module: instantiateWasm(found.file), reason: 'loaded' };
  } catch (err) {
    loaded = { module: null, reason: `wasm backend: instantiating ${found.file} failed: ${(err as Error).message}` };
  }
  return loaded;
}
