// The `wasm` backend's kernels on an instantiated module (instance.ts): the Backend object, with
// no Node module, so that Node (index.ts) and a page (browser.ts) build it the same way.
//
// Storage is a Float32Array view on the module's shared memory: kernels read and write it in
// place, and readSync hands out the view itself, as the CPU backends do. Memory comes from the
// module's allocator (native/wasm_runtime.cc), so storage must be freed (Tensor.dispose, tidy, or
// the FinalizationRegistry of src/memory.ts): the garbage collector does not own it.
import type {
  ActivationGradOp, AdamParams, Backend, Conv2dGeometry, DType, MatmulParams, SgdParams, TypedArray,
} from '../backend.js';
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS } from '../opcodes.js';
import { jsBackend } from '../js/index.js';
import { finished } from '../js/gather.js';
import { convKernels } from '../conv-kernels.js';
import { bernoulliThreshold } from '../philox.js';
import { META_LENGTH, kernelChecks, writeGeometry } from '../kernel-args.js';
import type { WasmModule } from './instance.js';

type F32 = Float32Array;

const check = kernelChecks('wasm');
const need = check.need;

/** Why a module that knows a different number of ops than src/backend/opcodes.ts is refused, or null. */
export function opCountProblem(mod: WasmModule): string | null {
  const e = mod.exports;
  const counts = [['unary', e.tessera_unary_op_count(), UNARY_OPS.length], ['binary', e.tessera_binary_op_count(), BINARY_OPS.length],
    ['reduce', e.tessera_reduce_op_count(), REDUCE_OPS.length]] as const;
  for (const [family, have, want] of counts) {
    if (have !== want) return `wasm backend: ${mod.file} knows ${have} ${family} ops, src/backend/opcodes.ts has ${want} (it was built from other sources); run \`node scripts/build-wasm.mjs\``;
  }
  // The latest kernels to join the module: one built before them lacks their exports.
  for (const name of ['tessera_reparameterize', 'tessera_reparameterize_backward'] as const) {
    if (typeof e[name] !== 'function') return `wasm backend: ${mod.file} has no ${name} (it was built from older sources); run \`node scripts/build-wasm.mjs\``;
  }
  return null;
}

/** The backend whose kernels are `mod`'s (one per module: it keeps its argument blocks in the module's memory). */
export function makeBackend(mod: WasmModule): Backend<F32> {
  const e = mod.exports;
  const metaPtr = e.malloc(8 * META_LENGTH) >>> 0;
  const geometryPtr = e.malloc(8 * 14) >>> 0;
  // Made once: views on a shared memory stay valid when it grows (a SharedArrayBuffer is never detached).
  const meta = mod.f64(metaPtr, META_LENGTH);
  const geometryView = mod.f64(geometryPtr, 14);
  const geometry = (g: Conv2dGeometry): Float64Array => writeGeometry(geometryView, g);
  const js = jsBackend as unknown as Backend<F32>;
  const alloc = (size: number): F32 => {
    const ptr = e.malloc(4 * size) >>> 0;
    if (ptr === 0) throw new RangeError(`wasm backend alloc: no room for ${size} float32 values (the module's memory stops at ${mod.unshared === null ? '4 GiB' : '512 MiB, not shared'})`);
    return mod.f32(ptr, size);
  };
  // A storage's address. Storage of the js and native backends (plain ArrayBuffers) is refused:
  // its byteOffset would name some unrelated place in the module's memory.
  const at = (s: F32, op: string): number => {
    // By its tag: a page that is not cross-origin isolated has no SharedArrayBuffer global, though
    // the module's shared memory still is one. An unshared memory keeps one buffer (instance.ts).
    if (mod.unshared === null ? Object.prototype.toString.call(s.buffer) !== '[object SharedArrayBuffer]' : s.buffer !== mod.memory.buffer) {
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
      const code = check.binary(op, a, aStrides, b, bStrides, out, outShape, meta);
      if (code === null) js.binary(op, a, aStrides, b, bStrides, out, outShape);
      else e.tessera_binary(code, at(a, 'binary'), at(b, 'binary'), at(out, 'binary'), metaPtr);
    },

    bceLogitsWithGrad(logits, target, loss, grad, size) {
      check.bceLogitsWithGrad(logits, target, loss, grad, size);
      const op = 'bceLogitsWithGrad';
      e.tessera_bce_logits_with_grad(at(logits, op), at(target, op), at(loss, op), at(grad, op), size);
    },

    where(cond, cs, a, as, b, bs, out, outShape) {
      if (check.where(cond, cs, a, as, b, bs, out, outShape, meta)) {
        e.tessera_where(at(cond, 'where'), at(a, 'where'), at(b, 'where'), at(out, 'where'), metaPtr);
      } else {
        js.where(cond, cs, a, as, b, bs, out, outShape);
      }
    },

    copy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape) {
      if (check.copy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape, meta)) {
        e.tessera_copy(at(src, 'copy'), at(dst, 'copy'), metaPtr);
      } else {
        js.copy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape);
      }
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
      e.tessera_im2col(at(x, 'im2col'), at(cols, 'im2col'), geometry(g).byteOffset);
    },

    // conv_direct.cc, checked as on native (the geometry goes by its address in the module's memory).
    ...convKernels({
      convForward: (x, w, bias, y, geo, cout, act, _naive, argmax) =>
        e.tessera_conv_forward(c(x), c(w), c(bias), c(y), geo.byteOffset, cout, act ?? 0, c(argmax ?? null)),
      convBackwardData: (gy, w, bias, gx, geo, cout, act) => e.tessera_conv_backward_data(c(gy), c(w), c(bias), c(gx), geo.byteOffset, cout, act ?? 0),
      convBackwardWeight: (x, gy, gw, gb, geo, cout, _naive, argmax, pooledY, act) =>
        e.tessera_conv_backward_weight(c(x), c(gy), c(gw), c(gb), geo.byteOffset, cout, c(argmax ?? null), c(pooledY ?? null), act ?? 0),
      maxPool: (x, y, argmax, geo) => e.tessera_max_pool(c(x), c(y), c(argmax), geo.byteOffset),
      maxPoolBackward: (gy, argmax, gx, geo) => e.tessera_max_pool_backward(c(gy), c(argmax), c(gx), geo.byteOffset),
    }, need, geometry),

    // The data set lives in JavaScript memory: the batch's rows are copied into the module's
    // (one memcpy each), then gather.cc scales them there with SIMD, reading them in order. At once,
    // also when asked for the background: the wasm pool has no background jobs (native/thread_pool.h).
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
      return finished;
    },

    random(kind, out, size, key, counter, p, x) {
      e.tessera_random(check.random(kind, out, size, x), at(out, 'random'), size, key[0], key[1], counter, p.mean ?? 0, p.std ?? 1,
        bernoulliThreshold(p.p ?? 0.5), p.value ?? 1, x === undefined ? 0 : at(x, 'random'), p.low ?? -Infinity, p.high ?? Infinity);
    },
    // The VAE's latent layer: native/simd_latent.inc (the table's kernels, as on native); dz and dkl may be absent.
    reparameterize(stats, eps, z, kl, rows, latent) {
      check.reparameterize(stats, eps, z, kl, rows, latent);
      const op = 'reparameterize';
      e.tessera_reparameterize(at(stats, op), at(eps, op), at(z, op), at(kl, op), rows, latent);
    },
    reparameterizeBackward(stats, eps, dz, dkl, dstats, rows, latent) {
      check.reparameterizeBackward(stats, eps, dz, dkl, dstats, rows, latent);
      const op = 'reparameterizeBackward';
      e.tessera_reparameterize_backward(at(stats, op), at(eps, op), nul(dz, op), nul(dkl, op), at(dstats, op), rows, latent);
    },

    col2im(cols, out, g) {
      check.col2im(cols, out, g);
      e.tessera_col2im(at(cols, 'col2im'), at(out, 'col2im'), geometry(g).byteOffset);
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

    describe: () => ({ backend: 'wasm', ...moduleInfo(mod) }),
  };
}

export interface WasmInfo { simd: string; threads: number; gemmTile: string; file: string; kilobytes: number }

/** What `mod` is: its SIMD, pool size, GEMM tile, file and size. */
export function moduleInfo(m: WasmModule): WasmInfo {
  const e = m.exports;
  return { simd: 'wasm simd128', threads: e.tessera_pool_threads(), gemmTile: `${e.tessera_gemm_mr()}x${e.tessera_gemm_nr()}`,
    file: m.file, kilobytes: Math.round(m.bytes / 1024) };
}
