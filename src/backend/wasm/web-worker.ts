// One Web Worker of the wasm backend's pool in a page: browser.ts starts one per thread beyond the
// page's own and posts it a WorkerStart; scripts/build-web.mjs bundles this file as wasm-worker.js.
// It joins the pool (instance.ts's joinPool) and, once the pool stops, says so and ends. Node's
// worker (module.ts's WORKER_SOURCE) takes the same steps from an eval string: a worker file of
// its own would not exist beside the .ts sources the test runner loads.
import { joinPool, type WorkerStart } from './instance.js';

const scope = globalThis as unknown as { onmessage: ((event: { data: WorkerStart }) => void) | null; postMessage(message: string): void; close(): void };
scope.onmessage = ({ data }) => {
  joinPool(data);
  scope.postMessage('exited');
  scope.close();
};
