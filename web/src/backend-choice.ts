// Which backend the page trains on, in issue 18's order for a browser: webgpu when navigator.gpu
// gives an adapter, else wasm (tessera.wasm beside the page, one thread), else js; `?backend=`
// (webgpu, wasm or js) asks for one and skips those before it. The page says which one and why.
// The wasm module is fetched and instantiated in loadWasm alone: the place to extend for threads.
import shaders from 'tessera:shaders';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { initWebGPUFrom } from '../../src/backend/webgpu/browser.js';
import { initWasmFrom } from '../../src/backend/wasm/browser.js';

export const BACKEND_ORDER = ['webgpu', 'wasm', 'js'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export interface ChosenBackend {
  backend: Backend;
  adapter: string;
  /** Why this backend: the ones tried before it and why each was passed over. */
  why: string;
  /** A note for the header (CPU fallback adapter), or ''. */
  note: string;
  /** Training runs on the CPU (js, wasm, or a fallback WebGPU adapter). */
  cpu: boolean;
}

/** The wasm file the build writes beside the page (scripts/build-web.mjs). */
export const WASM_URL = 'tessera.wasm';

/** The wasm backend on the module served beside the page, single-threaded. */
async function loadWasm(): Promise<Backend> {
  const response = await fetch(WASM_URL);
  if (!response.ok) throw new Error(`GET ${WASM_URL} answered ${response.status} (the page was built without build/tessera.wasm: run node scripts/build-wasm.mjs, then npm run build:web)`);
  return initWasmFrom(new Uint8Array(await response.arrayBuffer()), WASM_URL);
}

async function tryBackend(name: BackendName): Promise<Omit<ChosenBackend, 'why'>> {
  if (name === 'webgpu') {
    const gpu = await initWebGPUFrom(navigator.gpu, { shaders: new Map(Object.entries(shaders)), cores: navigator.hardwareConcurrency || 2 });
    const d = gpu.describe() as { adapter?: string; vendor?: string; architecture?: string; cpu?: boolean };
    const adapter = [d.vendor, d.architecture, d.adapter].filter((s) => s).join(' ') || 'unnamed adapter';
    const note = d.cpu ? 'WebGPU runs on a CPU fallback adapter (e.g. SwiftShader): expect a few steps per second, not a GPU’s speed.' : '';
    return { backend: gpu, adapter, note, cpu: d.cpu === true };
  }
  if (name === 'wasm') return { backend: await loadWasm(), adapter: 'none (WebAssembly SIMD on the CPU, one thread)', note: '', cpu: true };
  return { backend: jsBackend, adapter: 'none (plain JavaScript on the CPU)', note: '', cpu: true };
}

/** The first backend of BACKEND_ORDER (from `requested` on, when given) that loads. */
export async function chooseBackend(requested: string | null): Promise<ChosenBackend> {
  const from = BACKEND_ORDER.indexOf(requested as BackendName);
  const passed: string[] = [];
  if (from > 0) passed.push(`?backend=${requested} asked for`);
  for (const name of BACKEND_ORDER.slice(Math.max(0, from))) {
    try {
      const chosen = await tryBackend(name);
      const why = passed.length === 0 ? (name === 'webgpu' ? 'navigator.gpu gave an adapter' : 'first in the order') : passed.join('; ');
      return { ...chosen, why };
    } catch (e) {
      passed.push(`no ${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`playground: no backend loaded (${passed.join('; ')})`);
}
