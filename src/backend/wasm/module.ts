// Finding, instantiating and threading build/tessera.wasm (made by scripts/build-wasm.mjs from
// native/'s kernels). The module imports one shared memory: storage is Float32Array views on it,
// which stay valid when the memory grows (a SharedArrayBuffer is never detached), and worker
// threads instantiate the same module on the same memory to run native/wasm_runtime.cc's pool.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../../util/package-root.js';

// The few WebAssembly API types used here (the project's lib is ES2022 without the DOM's typings).
interface WasmGlobal { value: number }
interface WasmMemory { readonly buffer: ArrayBufferLike }
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
  tessera_where(cond: number, a: number, b: number, out: number, meta: number): number;
  tessera_copy(src: number, dst: number, meta: number): number;
  tessera_reduce(op: number, x: number, out: number, outer: number, size: number, inner: number): number;
  tessera_softmax(x: number, out: number, outer: number, size: number, inner: number, log: number): void;
  tessera_matmul(a: number, b: number, out: number, batch: number, m: number, n: number, k: number, transA: number,
    transB: number, strideA: number, strideB: number, bias: number, act: number): void;
  tessera_im2col(x: number, cols: number, geometry: number): void;
  tessera_col2im(cols: number, out: number, geometry: number): void;
  tessera_conv_forward(x: number, w: number, bias: number, y: number, geometry: number, cout: number): void;
  tessera_conv_backward_data(gy: number, w: number, bias: number, gx: number, geometry: number, cout: number): void;
  tessera_conv_backward_weight(x: number, gy: number, gw: number, gbias: number, geometry: number, cout: number): void;
  tessera_max_pool(x: number, y: number, argmax: number, geometry: number): void;
  tessera_max_pool_backward(gy: number, argmax: number, gx: number, geometry: number): void;
  tessera_gather_bytes(src: number, rowSize: number, rows: number, n: number, divisor: number, out: number): void;
  tessera_random(kind: number, out: number, n: number, k0: number, k1: number, counter: number, mean: number, std: number,
    threshold: number, value: number): number;
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
  tessera_worker_loop(id: number): void;
  tessera_set_threads(n: number): void;
  __stack_pointer: WasmGlobal;
  __tls_size: WasmGlobal;
  __tls_align: WasmGlobal;
  __wasm_init_tls(ptr: number): void;
  __wasm_call_ctors(): void;
}

export interface WasmModule {
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
  /** Starts (or parks) workers so that n threads run the kernels. */
  setThreads(n: number): void;
}

// Pages of 64 KiB: as scripts/build-wasm.mjs links the module (16 MiB initial, 4 GiB maximum).
const INITIAL_PAGES = 256;
const MAX_PAGES = 65536;
const WORKER_STACK_BYTES = 1 << 20;
const WORKER_START_TIMEOUT_MS = 20_000;

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

/** Instantiates the module on a fresh shared memory; throws with the reason when it cannot. */
export function instantiateWasm(file: string): WasmModule {
  const bytes = readFileSync(file);
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmExports;
  e.__wasm_call_ctors();
  const tls = e.malloc(Math.max(Number(e.__tls_size.value), 1)) >>> 0;
  e.__wasm_init_tls(tls);
  let buffer = memory.buffer;
  // Growth (by any thread) shows as a longer buffer from memory.buffer; earlier views stay valid.
  const current = (end: number): ArrayBufferLike => {
    if (end > buffer.byteLength) buffer = memory.buffer;
    return buffer;
  };
  const workers: Worker[] = [];
  let threads = 1;
  const mod: WasmModule = {
    file, bytes: bytes.length, exports: e, memory,
    f32: (ptr, length) => new Float32Array(current(ptr + 4 * length), ptr, length),
    f64: (ptr, length) => new Float64Array(current(ptr + 8 * length), ptr, length),
    u8: (ptr, length) => new Uint8Array(current(ptr + length), ptr, length),
    u32: (ptr, length) => new Uint32Array(current(ptr + 4 * length), ptr, length),
    threads: () => threads,
    setThreads(n) {
      const ready = e.malloc(4) >>> 0;
      const flag = new Int32Array(current(ready + 4), ready, 1);
      flag[0] = 0;
      const starting = n - 1 - workers.length;
      for (let id = workers.length + 1; id < n; id++) {
        const stack = e.malloc(WORKER_STACK_BYTES) >>> 0;
        const workerTls = e.malloc(Math.max(Number(e.__tls_size.value), 1)) >>> 0;
        const w = new Worker(WORKER_SOURCE, {
          eval: true, workerData: { module, memory, id, stackTop: stack + WORKER_STACK_BYTES, tls: workerTls, ready },
        });
        w.unref();
        workers.push(w);
      }
      // The pool may post a job only once every worker is parked in its loop (it would miss the first wake-up).
      const deadline = Date.now() + WORKER_START_TIMEOUT_MS;
      for (let got; (got = Atomics.load(flag, 0)) < starting;) {
        if (Date.now() > deadline) {
          throw new Error(`wasm backend: only ${got} of ${starting} worker threads started within ${WORKER_START_TIMEOUT_MS / 1000} s`);
        }
        Atomics.wait(flag, 0, got, 100);
      }
      e.free(ready);
      threads = n;
      e.tessera_set_threads(n);
    },
  };
  return mod;
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
