// Which backend the page trains on, in issue 18's order for a browser: webgpu when navigator.gpu
// gives an adapter, else wasm (tessera.wasm beside the page), else js; `?backend=` (webgpu, wasm
// or js) asks for one and skips those before it. The page says which one and why. wasm runs one
// thread per core (navigator.hardwareConcurrency, capped as in Node; `?threads=` asks for a
// number) where the page is cross-origin isolated, else one, and the page says why.
import shaders from 'tessera:shaders';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { initWebGPUFrom } from '../../src/backend/webgpu/browser.js';
import { initWasmThreaded } from '../../src/backend/wasm/browser.js';
import { MAX_WASM_THREADS } from '../../src/backend/wasm/instance.js';

const BACKEND_ORDER = ['webgpu', 'wasm', 'js'] as const;
type BackendName = (typeof BACKEND_ORDER)[number];

interface ChosenBackend {
  backend: Backend;
  adapter: string;
  /** Why this backend: the ones tried before it and why each was passed over. */
  why: string;
  /** A note for the header (CPU fallback adapter), or ''. */
  note: string;
  /** Training runs on the CPU (js, wasm, or a fallback WebGPU adapter). */
  cpu: boolean;
  /** CPU threads the kernels run on (null: the GPU's); with why one when more were asked for, or ''. */
  threads: number | null;
  threadsWhy: string;
}

/** The wasm file and its pool's worker script, which the build writes beside the page (scripts/build-web.mjs). */
const WASM_URL = 'tessera.wasm';
const WASM_WORKER_URL = 'wasm-worker.js';

/** Threads for wasm: `?threads=` when given, else one per core, at most MAX_WASM_THREADS. */
export function wasmThreads(asked: string | null, cores: number): number {
  const n = asked === null ? cores : Number(asked);
  if (!Number.isInteger(n) || n < 1) throw new Error(`?threads=${asked}: expected a whole number ≥ 1`);
  return Math.min(n, MAX_WASM_THREADS);
}

/** The wasm backend on the module served beside the page, with workers where the page may have them. */
async function loadWasm(threads: number): Promise<Omit<ChosenBackend, 'why'>> {
  const response = await fetch(WASM_URL);
  if (!response.ok) throw new Error(`GET ${WASM_URL} answered ${response.status} (the page was built without build/tessera.wasm: run node scripts/build-wasm.mjs, then npm run build:web)`);
  const wasm = await initWasmThreaded(new Uint8Array(await response.arrayBuffer()), WASM_URL, threads, WASM_WORKER_URL);
  // Once per page load (the backend is chosen once); the header says it too.
  if (wasm.oneThreadWhy !== null) console.warn(`tessera: ${wasm.oneThreadWhy}; the wasm backend runs on one thread`);
  const adapter = `none (WebAssembly SIMD on the CPU, ${wasm.threads === 1 ? 'one thread' : `${wasm.threads} threads`})`;
  return { backend: wasm.backend, adapter, note: '', cpu: true, threads: wasm.threads, threadsWhy: wasm.oneThreadWhy ?? '' };
}

async function tryBackend(name: BackendName, threads: number): Promise<Omit<ChosenBackend, 'why'>> {
  if (name === 'webgpu') {
    const gpu = await initWebGPUFrom(navigator.gpu, { shaders: new Map(Object.entries(shaders)), cores: navigator.hardwareConcurrency || 2 });
    const d = gpu.describe() as { adapter?: string; vendor?: string; architecture?: string; cpu?: boolean };
    const adapter = [d.vendor, d.architecture, d.adapter].filter((s) => s).join(' ') || 'unnamed adapter';
    const note = d.cpu ? 'WebGPU runs on a CPU fallback adapter (e.g. SwiftShader): expect a few steps per second, not a GPU’s speed.' : '';
    return { backend: gpu, adapter, note, cpu: d.cpu === true, threads: null, threadsWhy: '' };
  }
  if (name === 'wasm') return loadWasm(threads);
  return { backend: jsBackend, adapter: 'none (plain JavaScript on the CPU)', note: '', cpu: true, threads: 1, threadsWhy: 'the js backend runs on the page\'s thread' };
}

/** The first backend of BACKEND_ORDER (from `requested` on, when given) that loads; `threads` for wasm. */
export async function chooseBackend(requested: string | null, threads: number): Promise<ChosenBackend> {
  const from = BACKEND_ORDER.indexOf(requested as BackendName);
  const passed: string[] = [];
  if (from > 0) passed.push(`?backend=${requested} asked for`);
  for (const name of BACKEND_ORDER.slice(Math.max(0, from))) {
    try {
      const chosen = await tryBackend(name, threads);
      const why = passed.length === 0 ? (name === 'webgpu' ? 'navigator.gpu gave an adapter' : 'first in the order') : passed.join('; ');
      return { ...chosen, why };
    } catch (e) {
      passed.push(`no ${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`playground: no backend loaded (${passed.join('; ')})`);
}
