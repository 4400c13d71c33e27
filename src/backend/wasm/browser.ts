// The wasm backend in a browser page: the page fetches build/tessera.wasm (the playground serves
// it; `npm run build:web` copies it beside the page) and hands the bytes here, where Node's
// index.ts reads the file. One thread: worker threads need Web Workers and a cross-origin
// isolated page (COOP/COEP), which this loader does not start yet. Nothing here imports a Node module.
//
//   const backend = initWasmFrom(new Uint8Array(await (await fetch('tessera.wasm')).arrayBuffer()), 'tessera.wasm');
import type { Backend } from '../backend.js';
import { instantiateWasmBytes } from './instance.js';
import { makeBackend, opCountProblem } from './make-backend.js';

/** The backend on the module `bytes` (from `source`, named in errors); throws saying why it cannot be used. */
export function initWasmFrom(bytes: Uint8Array, source: string): Backend<Float32Array> {
  const mod = instantiateWasmBytes(bytes, source, null);
  const stale = opCountProblem(mod);
  if (stale !== null) throw new Error(stale);
  return makeBackend(mod);
}
