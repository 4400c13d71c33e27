// The wasm backend in a browser page: the page fetches build/tessera.wasm (the playground serves
// it; `npm run build:web` copies it beside the page) and hands the bytes here, where Node's
// index.ts reads the file. Threads are Web Workers running web-worker.ts (bundled as
// wasm-worker.js), each on the page's shared memory: only a cross-origin isolated page (served
// with COOP/COEP headers) may hand that memory to a worker; elsewhere the backend runs on one
// thread and says why (the caller shows it: nothing below cli prints). Nothing here imports a Node module.
//
//   const { backend, threads } = await initWasmThreaded(bytes, 'tessera.wasm', navigator.hardwareConcurrency, 'wasm-worker.js');
import type { Backend } from '../backend.js';
import { instantiateWasmBytes, type StartWorker } from './instance.js';
import { makeBackend, opCountProblem } from './make-backend.js';

/** The few Web Worker members used here (the project's lib has no DOM typings). */
interface WebWorker { onmessage: (() => void) | null; onerror: (() => void) | null; postMessage(message: unknown): void; terminate(): void }
interface WorkerScope { crossOriginIsolated?: boolean; Worker?: new (url: string, options: { name: string }) => WebWorker }

export interface BrowserWasm {
  backend: Backend<Float32Array>;
  threads: number;
  /** Why the backend runs on one thread though more were asked for, or null. */
  oneThreadWhy: string | null;
}

/**
 * The backend with `threads` threads where the page can have them (Web Workers from `workerUrl`),
 * else on one; rejects saying why when the module cannot be used at all.
 */
export async function initWasmThreaded(bytes: Uint8Array, source: string, threads: number, workerUrl: string,
  scope: WorkerScope = globalThis as WorkerScope): Promise<BrowserWasm> {
  const started: WebWorker[] = [];
  const startWorker: StartWorker = (start) => {
    const worker = new scope.Worker!(workerUrl, { name: `tessera wasm thread ${start.id}` });
    // A worker says 'exited' once the pool stops; one that fails to load ends with an error event.
    const exited = new Promise<void>((resolve) => { worker.onmessage = worker.onerror = () => resolve(); });
    started.push(worker);
    worker.postMessage(start);
    return { exited: () => exited };
  };
  const mod = instantiateWasmBytes(bytes, source, startWorker, false);
  const stale = opCountProblem(mod);
  if (stale !== null) throw new Error(stale);
  let oneThreadWhy: string | null = null;
  if (threads > 1) {
    oneThreadWhy = mod.unshared ?? (scope.crossOriginIsolated !== true
      ? 'the page is not cross-origin isolated (no COOP/COEP headers), so it may not share its memory with workers'
      : scope.Worker === undefined ? 'no Web Workers here' : null);
    if (oneThreadWhy === null) {
      try {
        await mod.setThreadsAsync(threads);
      } catch (err) {
        oneThreadWhy = (err as Error).message;
        for (const worker of started) worker.terminate();
      }
    }
  }
  return { backend: makeBackend(mod), threads: mod.threads(), oneThreadWhy };
}
