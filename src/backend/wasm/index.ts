// The `wasm` backend: native/'s C++ kernels compiled to WebAssembly with 128-bit SIMD
// (scripts/build-wasm.mjs), for where the native addon is not loaded. Float32 only.
//
// Storage is a Float32Array view on the module's shared memory: kernels read and write it in
// place, and readSync hands out the view itself, as the CPU backends do. Memory comes from the
// module's allocator (native/wasm_runtime.cc), so storage must be freed (Tensor.dispose, tidy, or
// the FinalizationRegistry of src/memory.ts): the garbage collector does not own it.
import { availableParallelism } from 'node:os';
import type {
  ActivationGradOp, AdamParams, Backend, Conv2dGeometry, DType, MatmulParams, SgdParams, TypedArray,
} from '../backend.js';
import { BINARY_CODES, BINARY_OPS, RANDOM_CODES, REDUCE_OPS, UNARY_OPS } from '../opcodes.js';
import { jsBackend } from '../js/index.js';
import { convKernels } from '../native/conv-kernels.js';
import { bernoulliThreshold } from '../philox.js';
import {
  anyNegative, extent, MAX_RANK, META_LENGTH, kernelChecks, product, threadsEnvProblem, writeCopyMeta, writeGeometry, writeMeta,
} from '../kernel-args.js';
import { loadWasmModule, type WasmModule } from './module.js';

type F32 = Float32Array;

const check = kernelChecks('wasm');
const need = check.need;

/** Why a module that knows a different number of ops than src/backend/opcodes.ts is refused, or null. */
function opCountProblem(mod: WasmModule): string | null {
  const e = mod.exports;
  const counts = [['unary', e.tessera_unary_op_count(), UNARY_OPS.length], ['binary', e.tessera_binary_op_count(), BINARY_OPS.length],
    ['reduce', e.tessera_reduce_op_count(), REDUCE_OPS.length]] as const;
  for (const [family, have, want] of counts) {
    if (have !== want) return `wasm backend: ${mod.file} knows ${have} ${family} ops, src/backend/opcodes.ts has ${want} (it was built from other sources); run \`node scripts/build-wasm.mjs\``;
  }
  return null;
}

function makeBackend(mod: WasmModule): Backend<F32> {
  const e = mod.exports;
  const metaPtr = e.malloc(8 * META_LENGTH) >>> 0;
  const geometryPtr = e.malloc(8 * 14) >>> 0;
  // Re-made per call: a view made before the memory grew is still valid, but new views need the new length.
  const meta = (): Float64Array => mod.f64(metaPtr, META_LENGTH);
  const geometry = (g: Conv2dGeometry): number => { writeGeometry(mod.f64(geometryPtr, 14), g); return geometryPtr; };
  const js = jsBackend as unknown as Backend<F32>;
  const alloc = (size: number): F32 => {
    const ptr = e.malloc(4 * size) >>> 0;
    if (ptr === 0) throw new RangeError(`wasm backend alloc: no room for ${size} float32 values (the module's memory stops at 4 GiB)`);
    return mod.f32(ptr, size);
  };
  // A storage's address. Storage of the js and native backends (plain ArrayBuffers) is refused:
  // its byteOffset would name some unrelated place in the module's memory.
  const at = (s: F32, op: string): number => {
    if (!(s.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError(`wasm backend ${op}: the storage is not the wasm backend's (a ${s.constructor.name} on an ArrayBuffer); move the tensor to 'wasm' first`);
    }
    return s.byteOffset;
  };
  const nul = (s: F32 | null, op: string): number => (s === null ? 0 : at(s, op));
  const c = (s: F32 | null): number => nul(s, 'conv');
  // gatherRows' staging area in the module's memory, grown as batches need.
  let stagePtr = 0, stageBytes = 0;
  const staging = (bytes: number): number => {
    if (bytes <= stageBytes) return stagePtr;
    e.free(stagePtr);
    stagePtr = stageBytes = 0;
    stagePtr = alloc(bytes / 4).byteOffset;   // may throw: then nothing is staged
    stageBytes = bytes;
    return stagePtr;
  };

  return {
    name: 'wasm',
    supportsDType: (dtype: DType) => dtype === 'float32',
    hostVisible: true,
    garbageCollected: false,
    alloc(dtype, size) {
      if (dtype !== 'float32') throw new Error(`wasm backend alloc: dtype '${dtype}' is not supported (float32 only); use the js backend for float64`);
      return alloc(size);
    },
    upload(data: TypedArray) {
      const s = alloc(data.length);
      s.set(data);
      return s;
    },
    readSync: (s) => s,
    read: async (s) => s,
    free: (s: F32) => e.free(at(s, 'free')),
    fill: (out, size, value) => { out.fill(value, 0, size); },

    unary(op, x, out, size, params) {
      const code = check.unary(op, x, out, size);
      e.tessera_unary(code, at(x, 'unary'), at(out, 'unary'), size, params.alpha ?? 0, params.beta ?? 0);
    },

    activationGrad(act: ActivationGradOp, y, g, out, size) {
      const code = check.activationGrad(act, y, g, out, size);
      const op = `activationGrad(${act})`;
      e.tessera_activation_grad(code, at(y, op), at(g, op), at(out, op), size);
    },

    binary(op, a, aStrides, b, bStrides, out, outShape) {
      const code = BINARY_CODES[op];
      if (code === undefined) throw new Error(`wasm backend binary: unknown op '${String(op)}'`);
      if (outShape.length > MAX_RANK || anyNegative(aStrides, bStrides)) {
        js.binary(op, a, aStrides, b, bStrides, out, outShape);
        return;
      }
      need(`binary(${op})`, 'a', a.length, extent(outShape, aStrides));
      need(`binary(${op})`, 'b', b.length, extent(outShape, bStrides));
      need(`binary(${op})`, 'out', out.length, product(outShape));
      writeMeta(meta(), outShape, aStrides, bStrides);
      e.tessera_binary(code, at(a, 'binary'), at(b, 'binary'), at(out, 'binary'), metaPtr);
    },

    where(cond, cs, a, as, b, bs, out, outShape) {
      if (outShape.length > MAX_RANK || anyNegative(cs, as, bs)) {
        js.where(cond, cs, a, as, b, bs, out, outShape);
        return;
      }
      need('where', 'cond', cond.length, extent(outShape, cs));
      need('where', 'a', a.length, extent(outShape, as));
      need('where', 'b', b.length, extent(outShape, bs));
      need('where', 'out', out.length, product(outShape));
      writeMeta(meta(), outShape, cs, as, bs);
      e.tessera_where(at(cond, 'where'), at(a, 'where'), at(b, 'where'), at(out, 'where'), metaPtr);
    },

    copy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape) {
      if (shape.length > MAX_RANK || anyNegative(srcStrides, dstStrides)) {
        js.copy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape);
        return;
      }
      need('copy', 'src', src.length, extent(shape, srcStrides, srcOffset));
      need('copy', 'dst', dst.length, extent(shape, dstStrides, dstOffset));
      writeCopyMeta(meta(), srcOffset, dstOffset, shape, srcStrides, dstStrides);
      e.tessera_copy(at(src, 'copy'), at(dst, 'copy'), metaPtr);
    },

    reduce(op, x, out, outer, size, inner) {
      const code = check.reduce(op, x, out, outer, size, inner);
      e.tessera_reduce(code, at(x, 'reduce'), at(out, 'reduce'), outer, size, inner);
    },

    matmul(a, b, out, p: MatmulParams) {
      const { batch, m, n, k, transA, transB, strideA, strideB } = p;
      const bias = (p.bias ?? null) as F32 | null;
      const act = check.matmul(a, b, out, p);
      e.tessera_matmul(at(a, 'matmul'), at(b, 'matmul'), at(out, 'matmul'), batch, m, n, k, transA ? 1 : 0, transB ? 1 : 0,
        strideA, strideB, nul(bias, 'matmul'), act);
    },

    softmax(x, out, outer, size, inner, log) {
      check.softmax(x, out, outer, size, inner);
      e.tessera_softmax(at(x, 'softmax'), at(out, 'softmax'), outer, size, inner, log ? 1 : 0);
    },

    im2col(x, cols, g) {
      check.im2col(x, cols, g);
      e.tessera_im2col(at(x, 'im2col'), at(cols, 'im2col'), geometry(g));
    },

    // conv_direct.cc, checked as on native (the geometry goes by its address in the module's memory).
    ...convKernels({
      convForward: (x, w, bias, y, geo, cout) => e.tessera_conv_forward(c(x), c(w), c(bias), c(y), geo.byteOffset, cout),
      convBackwardData: (gy, w, bias, gx, geo, cout) => e.tessera_conv_backward_data(c(gy), c(w), c(bias), c(gx), geo.byteOffset, cout),
      convBackwardWeight: (x, gy, gw, gb, geo, cout) => e.tessera_conv_backward_weight(c(x), c(gy), c(gw), c(gb), geo.byteOffset, cout),
      maxPool: (x, y, argmax, geo) => e.tessera_max_pool(c(x), c(y), c(argmax), geo.byteOffset),
      maxPoolBackward: (gy, argmax, gx, geo) => e.tessera_max_pool_backward(c(gy), c(argmax), c(gx), geo.byteOffset),
    }, need, (g) => mod.f64(geometry(g), 14)),

    // The data set lives in JavaScript memory: the batch's rows are copied into the module's
    // (one memcpy each), then gather.cc scales them there with SIMD, reading them in order.
    gatherRows(src, rowSize, rows, divisor, out) {
      const n = rows.length, rowsAt = 4 * Math.ceil(n * rowSize / 4);
      need('gatherRows', 'out', out.length, n * rowSize);
      const stage = staging(rowsAt + 4 * n), bytes = mod.u8(stage, n * rowSize), order = mod.u32(stage + rowsAt, n);
      for (let i = 0; i < n; i++) {
        const r = rows[i]!;
        if (!((r + 1) * rowSize <= src.length)) throw new RangeError(`wasm backend gatherRows: row ${r} is outside the data set (${Math.floor(src.length / rowSize)} rows of ${rowSize})`);
        bytes.set(src.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
        order[i] = i;
      }
      e.tessera_gather_bytes(stage, rowSize, order.byteOffset, n, divisor, at(out, 'gatherRows'));
    },

    random(kind, out, size, key, counter, p) {
      need('random', 'out', out.length, size);
      e.tessera_random(RANDOM_CODES[kind], at(out, 'random'), size, key[0], key[1], counter, p.mean ?? 0, p.std ?? 1,
        bernoulliThreshold(p.p ?? 0.5), p.value ?? 1);
    },

    col2im(cols, out, g) {
      check.col2im(cols, out, g);
      e.tessera_col2im(at(cols, 'col2im'), at(out, 'col2im'), geometry(g));
    },

    sgdStep(param, grad, buf, size, p: SgdParams) {
      check.sgdStep(param, grad, buf, size);
      e.tessera_sgd(at(param, 'sgdStep'), at(grad, 'sgdStep'), nul(buf, 'sgdStep'), size, p.lr, p.momentum, p.dampening,
        p.weightDecay, p.maximize ? -1 : 1, p.nesterov ? 1 : 0, p.firstStep ? 1 : 0);
    },

    adamStep(param, grad, m, v, vMax, size, p: AdamParams) {
      const { stepSize, bc2Sqrt } = check.adamStep(param, grad, m, v, vMax, size, p);
      e.tessera_adam(at(param, 'adamStep'), at(grad, 'adamStep'), at(m, 'adamStep'), at(v, 'adamStep'), nul(vMax, 'adamStep'),
        size, p.lr, p.beta1, p.beta2, p.eps, p.weightDecay, stepSize, bc2Sqrt, p.decoupled ? 1 : 0);
    },

    describe: () => ({ backend: 'wasm', ...wasmInfo() }),
  };
}

export interface WasmInfo { simd: string; threads: number; gemmTile: string; file: string; kilobytes: number }

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
  try {
    if (threads > 1) module.setThreads(threads);
  } catch (err) {
    return { backend: null, module: null, reason: (err as Error).message };
  }
  return { backend: makeBackend(module), module, reason: 'loaded' };
}

/** Each worker is a whole JS isolate (~10 MB) and a 1 MiB stack: more than the cores only time-slice. */
export const MAX_WASM_THREADS = 64;

function loadedModule(fn: string): WasmModule {
  const { backend, reason } = loadWasmBackend();
  if (backend === null || state?.module == null) throw new Error(`${fn}: the wasm backend is not available (${reason})`);
  return state.module;
}

export function wasmInfo(): WasmInfo {
  const m = loadedModule('wasmInfo');
  const e = m.exports;
  return { simd: 'wasm simd128', threads: e.tessera_pool_threads(), gemmTile: `${e.tessera_gemm_mr()}x${e.tessera_gemm_nr()}`,
    file: m.file, kilobytes: Math.round(m.bytes / 1024) };
}

/** Sets how many threads run the wasm kernels (workers are started on first need and kept). */
export function setWasmThreads(n: number): void {
  const m = loadedModule('setWasmThreads');
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new RangeError(`setWasmThreads: expected an integer in [1, ${MAX_WASM_THREADS}], got ${n}`);
  }
  m.setThreads(n);
}
