// Instantiating build/tessera.wasm from its bytes, wherever they came from (Node reads the file,
// a page fetches it): the module imports one shared memory, storage is Float32Array views on it,
// which stay valid when the memory grows (a SharedArrayBuffer is never detached), and worker
// threads, when the caller can start them, instantiate the same module on the same memory to run
// native/wasm_runtime.cc's pool. Where shared memory cannot be made (a browser that is not
// cross-origin isolated may refuse it), the module runs on one thread on an unshared memory of a
// fixed size. No Node module here: src/backend/wasm/module.ts (Node) and
// browser.ts (a page) both build on it.

// The few WebAssembly API types used here (the project's lib is ES2022 without the DOM's typings).
interface WasmGlobal { value: number }
export interface WasmMemory { readonly buffer: ArrayBufferLike }
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The module's exports (native/wasm_api.cc, native/wasm_runtime.cc); addresses are numbers. */
export interface WasmExports {
  malloc(bytes: number): number;
  free(ptr: number): void;
  tessera_unary(op: number, x: number, out: number, n: number, alpha: number, beta: number): void;
  tessera_activation_grad(act: number, y: number, g: number, out: number, n: number): number;
  tessera_binary(op: number, a: number, b: number, out: number, meta: number): number;
  tessera_bce_logits_with_grad(logits: number, target: number, loss: number, grad: number, n: number): void;
  tessera_where(cond: number, a: number, b: number, out: number, meta: number): number;
  tessera_copy(src: number, dst: number, meta: number): number;
  tessera_reduce(op: number, x: number, out: number, outer: number, size: number, inner: number): number;
  tessera_softmax(x: number, out: number, outer: number, size: number, inner: number, log: number): void;
  tessera_matmul(a: number, b: number, out: number, batch: number, m: number, n: number, k: number, transA: number,
    transB: number, strideA: number, strideB: number, bias: number, act: number): void;
  tessera_im2col(x: number, cols: number, geometry: number): void;
  tessera_col2im(cols: number, out: number, geometry: number): void;
  tessera_conv_forward(x: number, w: number, bias: number, y: number, geometry: number, cout: number, act: number, argmax: number): void;
  tessera_conv_backward_data(gy: number, w: number, bias: number, gx: number, geometry: number, cout: number, act: number): void;
  tessera_conv_backward_weight(x: number, gy: number, gw: number, gbias: number, geometry: number, cout: number, argmax: number, pooledY: number, act: number): void;
  tessera_max_pool(x: number, y: number, argmax: number, geometry: number): void;
  tessera_max_pool_backward(gy: number, argmax: number, gx: number, geometry: number): void;
  tessera_gather_bytes(src: number, rowSize: number, rows: number, n: number, divisor: number, out: number): void;
  tessera_random(kind: number, out: number, n: number, k0: number, k1: number, counter: number, mean: number, std: number,
    threshold: number, value: number, x: number, low: number, high: number): number;
  tessera_reparameterize(stats: number, eps: number, z: number, kl: number, rows: number, latent: number): void;
  tessera_reparameterize_backward(stats: number, eps: number, dz: number, dkl: number, dstats: number, rows: number, latent: number): void;
  tessera_sgd(param: number, grad: number, buf: number, n: number, lr: number, momentum: number, dampening: number,
    weightDecay: number, sign: number, nesterov: number, firstStep: number): void;
  tessera_adam(param: number, grad: number, m: number, v: number, vMax: number, n: number, lr: number, beta1: number,
    beta2: number, eps: number, weightDecay: number, stepSize: number, bc2Sqrt: number, decoupled: number): void;
  tessera_gemm_mr(): number;
  tessera_gemm_nr(): number;
  tessera_unary_op_count(): number;
  tessera_binary_op_count(): number;
  tessera_reduce_op_count(): number;
  tessera_pool_threads(): number;
  tessera_parallel_for_owners(owners: number, tasks: number, spin: number): void;
  tessera_worker_loop(id: number): void;
  tessera_set_threads(n: number): void;
  tessera_set_caller_waits(waits: number): void;
  tessera_stop_workers(): void;
  tessera_restart_pool(): void;
  __stack_pointer: WasmGlobal;
  __tls_size: WasmGlobal;
  __tls_align: WasmGlobal;
  __wasm_init_tls(ptr: number): void;
  __wasm_call_ctors(): void;
}

export interface WasmModule {
  /** Where the bytes came from (a path in Node, a URL in a page): for messages. */
  readonly file: string;
  readonly bytes: number;
  readonly exports: WasmExports;
  readonly memory: WasmMemory;
  /** A Float32Array over [ptr, ptr + 4·length) of the memory as it is now. */
  f32(ptr: number, length: number): Float32Array;
  f64(ptr: number, length: number): Float64Array;
  u8(ptr: number, length: number): Uint8Array;
  u32(ptr: number, length: number): Uint32Array;
  /** Pool size, the calling thread included. */
  threads(): number;
  /** Starts (or parks) workers so that n threads run the kernels, waiting for them in Atomics.wait. */
  setThreads(n: number): void;
  /** As setThreads, for a thread that may not block (a page's main thread, where workers start only while it yields). */
  setThreadsAsync(n: number): Promise<void>;
  /** Why the memory is not shared (the module then runs on one thread), or null when it is. */
  readonly unshared: string | null;
  /** Ends the worker threads (the module then runs on one thread); a later setThreads starts new ones. */
  stopWorkers(): Promise<void>;
}

/**
 * What a worker needs to join the pool: its own instance of `module` on `memory`, its stack
 * pointer set to `stackTop`, its thread-locals at `tls`; then it adds 1 to the Int32 at `ready`
 * (Atomics.notify) and runs tessera_worker_loop(id).
 */
export interface WorkerStart { module: object; memory: WasmMemory; id: number; stackTop: number; tls: number; ready: number }

/** How a host starts a worker thread: `start` it, and `exited()` resolves once that worker has ended. */
export type StartWorker = (start: WorkerStart) => { exited(): Promise<void> };

/** A worker's part, on its own thread: its instance on the shared memory, then the pool's loop until the pool stops. */
export function joinPool({ module, memory, id, stackTop, tls, ready }: WorkerStart): void {
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmExports;
  e.__stack_pointer.value = stackTop;
  e.__wasm_init_tls(tls);
  const flag = new Int32Array(memory.buffer, ready, 1);
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
  e.tessera_worker_loop(id);
}

// Pages of 64 KiB: as scripts/build-wasm.mjs links the module (16 MiB initial, 4 GiB maximum).
const INITIAL_PAGES = 256;
const MAX_PAGES = 65536;
const WORKER_STACK_BYTES = 1 << 20;
const WORKER_START_TIMEOUT_MS = 20_000;
/**
 * Without shared memory: 512 MiB at most (addresses reserved; pages committed as used). An unshared
 * memory that grows replaces its buffer and empties the views on the old one, the backend's storage,
 * so it grows once only, by one page to its maximum, at the allocator's first malloc (which makes
 * all of it the heap: native/wasm_runtime.cc), before any view exists.
 */
const UNSHARED_PAGES = 8192;
/** Each worker is a whole JS isolate (~10 MB) and a 1 MiB stack: more than the cores only time-slice. */
export const MAX_WASM_THREADS = 64;

/**
 * Instantiates the module on a fresh shared memory (else on an unshared one, `unshared` saying why);
 * throws with the reason when it cannot.
 * `startWorker` starts one worker thread (null where there are none: setThreads(n > 1) throws).
 * `callerMayBlock`: the thread calling the kernels may wait in Atomics.wait for the tasks workers
 * took (Node's main thread may; a browser's main thread may not, so there the pool spins).
 */
export function instantiateWasmBytes(bytes: Uint8Array, file: string, startWorker: StartWorker | null, callerMayBlock = false): WasmModule {
  let memory: WasmMemory, unshared: string | null = null, moduleBytes = bytes;
  try {
    memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
  } catch (err) {
    unshared = `no shared memory here (${(err as Error).message}), so no worker threads`;
    memory = new WebAssembly.Memory({ initial: UNSHARED_PAGES - 1, maximum: UNSHARED_PAGES, shared: false });
    moduleBytes = unsharedMemoryImport(bytes, file);
  }
  const module = new WebAssembly.Module(moduleBytes);
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmExports;
  e.__wasm_call_ctors();
  const tls = e.malloc(Math.max(Number(e.__tls_size.value), 1)) >>> 0;
  e.__wasm_init_tls(tls);
  e.tessera_set_caller_waits(callerMayBlock ? 1 : 0);
  let buffer = memory.buffer;
  // Growth (by any thread) shows as a longer buffer from memory.buffer; earlier views stay valid.
  const current = (end: number): ArrayBufferLike => {
    if (end > buffer.byteLength) buffer = memory.buffer;
    return buffer;
  };
  // Each worker with the stack and thread-locals carved for it (freed when it ends).
  const workers: { exited(): Promise<void>; stack: number; tls: number }[] = [];
  let threads = 1;
  /** Starts the workers n threads need; `joined()` is true once all are parked (the pool then uses them), throws past the deadline. */
  const startWorkers = (n: number): { flag: Int32Array; joined(): boolean } => {
    if (n > 1 && unshared !== null) throw new Error(`wasm backend: ${unshared}`);
    if (n > 1 + workers.length && startWorker === null) throw new Error(`wasm backend: ${n} threads asked for, but no worker threads can be started here (${file})`);
    const ready = e.malloc(4) >>> 0;
    const flag = new Int32Array(current(ready + 4), ready, 1);
    flag[0] = 0;
    const before = workers.length, starting = n - 1 - before;
    let endedEarly = false;
    for (let id = workers.length + 1; id < n; id++) {
      const stack = e.malloc(WORKER_STACK_BYTES) >>> 0;
      const workerTls = e.malloc(Math.max(Number(e.__tls_size.value), 1)) >>> 0;
      const worker = startWorker!({ module, memory, id, stackTop: stack + WORKER_STACK_BYTES, tls: workerTls, ready });
      void worker.exited().then(() => { endedEarly = true; });
      workers.push({ exited: () => worker.exited(), stack, tls: workerTls });
    }
    // The pool may post a job only once every worker is parked in its loop (it would miss the first wake-up).
    const deadline = Date.now() + WORKER_START_TIMEOUT_MS;
    return {
      flag,
      joined() {
        const got = Atomics.load(flag, 0);
        if (got >= starting) {
          e.free(ready);
          threads = n;
          e.tessera_set_threads(n);
          return true;
        }
        if (endedEarly || Date.now() > deadline) {
          workers.splice(before);
          throw new Error(`wasm backend: only ${got} of ${starting} worker threads started${endedEarly ? ' (a worker ended before it joined)' : ` within ${WORKER_START_TIMEOUT_MS / 1000} s`}`);
        }
        return false;
      },
    };
  };
  return {
    file, bytes: bytes.length, exports: e, memory,
    f32: (ptr, length) => new Float32Array(current(ptr + 4 * length), ptr, length),
    f64: (ptr, length) => new Float64Array(current(ptr + 8 * length), ptr, length),
    u8: (ptr, length) => new Uint8Array(current(ptr + length), ptr, length),
    u32: (ptr, length) => new Uint32Array(current(ptr + 4 * length), ptr, length),
    threads: () => threads,
    setThreads(n) {
      const starting = startWorkers(n);
      while (!starting.joined()) Atomics.wait(starting.flag, 0, Atomics.load(starting.flag, 0), 100);
    },
    async setThreadsAsync(n) {
      const starting = startWorkers(n);
      while (!starting.joined()) await new Promise((resolve) => setTimeout(resolve, 5));
    },
    unshared,
    async stopWorkers() {
      if (workers.length === 0) return;
      e.tessera_stop_workers();
      const ending = workers.splice(0);
      threads = 1;
      await Promise.all(ending.map((w) => w.exited()));
      for (const { stack, tls: workerTls } of ending) { e.free(stack); e.free(workerTls); }
      e.tessera_restart_pool();
    },
  };
}

/**
 * A copy of the module's bytes whose memory import (its only import: scripts/build-wasm.mjs links
 * no other) is declared not shared, limits flag 0x03 → 0x01. Its atomics stay valid on an unshared
 * memory; with one thread no wait is ever reached.
 */
function unsharedMemoryImport(bytes: Uint8Array, file: string): Uint8Array {
  const leb = (at: number): [number, number] => {
    let value = 0;
    for (let shift = 0; ; shift += 7) { const b = bytes[at++]; value += (b & 0x7f) * 2 ** shift; if (b < 0x80) return [value, at]; }
  };
  const skipName = (at: number): number => { const [length, from] = leb(at); return from + length; };
  for (let at = 8; at < bytes.length;) {
    const [size, body] = leb(at + 1);
    if (bytes[at] === 2) {
      const flags = skipName(skipName(leb(body)[1])) + 1;
      if (bytes[flags - 1] !== 2 || (bytes[flags] & 2) === 0) break;
      const copy = bytes.slice();
      copy[flags] &= ~2;
      return copy;
    }
    at = body + size;
  }
  throw new Error(`wasm backend: ${file} does not import a shared memory first, as scripts/build-wasm.mjs links it`);
}
