// The `native` backend: C++ SIMD kernels (native/) over the same Float32Array storage as `js`,
// read and written in place by the addon (zero-copy). Float32 only.
//
// Arguments cross into C++ as plain numbers and typed arrays: shapes and strides go through one
// reused Float64Array, because reading JS arrays or option objects element by element from
// C++ costs more than the kernel on a small tensor.
import type {
  ActivationGradOp, AdamParams, Backend, Conv2dGeometry, DType, MatmulParams, SgdParams, TypedArray,
} from '../backend.js';
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS } from '../opcodes.js';
import { bernoulliThreshold } from '../philox.js';
import { jsBackend } from '../js/index.js';
import { finished } from '../js/gather.js';
import { hostPool } from '../js/host-pool.js';
import { loadAddon, type NativeAddon } from './addon.js';
import { convKernels } from '../conv-kernels.js';
import { registerPeakLoops, type BackendPeak } from '../peak.js';
import { META_LENGTH, kernelChecks, threadsEnvProblem, writeGeometry as packGeometry } from '../kernel-args.js';

type F32 = Float32Array;

export type NativeIsa = 'portable' | 'avx2' | 'avx512';
export interface NativeInfo { isa: string; available: string[]; threads: number; gemmTile: string; arch: string }

let loaded: { addon: NativeAddon | null; reason: string } | null = null;
let backend: Backend<F32> | null = null;

function addonOrThrow(fn: string): NativeAddon {
  const { addon, reason } = loadNativeBackendAddon();
  if (addon === null) throw new Error(`${fn}: the native backend is not available (${reason})`);
  return addon;
}

function loadNativeBackendAddon(): { addon: NativeAddon | null; reason: string } {
  if (loaded === null) {
    const found = loadAddon();
    loaded = found.addon === null ? found : checkEnvironment(found.addon, process.env);
  }
  return loaded;
}

export { threadsEnvProblem } from '../kernel-args.js';

/**
 * The variables the addon reads when it loads, checked before any kernel runs: a bad
 * TESSERA_THREADS or an unknown or unusable TESSERA_ISA makes the backend unavailable with
 * the reason, instead of being ignored.
 */
function checkEnvironment(addon: NativeAddon, env: NodeJS.ProcessEnv): { addon: NativeAddon | null; reason: string } {
  if (typeof addon.maxThreads !== 'number') {
    return { addon: null, reason: 'native backend: the addon was built from older sources (it has no maxThreads); run `npx node-gyp rebuild`' };
  }
  const stale = opCountProblem(addon);
  if (stale !== null) return { addon: null, reason: stale };
  const problem = threadsEnvProblem(env.TESSERA_THREADS, addon.maxThreads);
  if (problem !== null) return { addon: null, reason: `native backend: ${problem}` };
  const isa = env.TESSERA_ISA;
  if (isa !== undefined && isa !== '') {
    try {
      addon.setIsa(isa);
    } catch (err) {
      return { addon: null, reason: `native backend: TESSERA_ISA='${isa}' cannot be used: ${(err as Error).message}` };
    }
  }
  return { addon, reason: 'loaded' };
}

/**
 * Why an addon that knows a different number of ops than the table (src/backend/opcodes.ts) is
 * refused, or null: built from older sources, it would run an op added since as another op or
 * reject it, so there is no per-op fallback to js.
 */
export function opCountProblem(addon: Pick<NativeAddon, 'unaryOpCount' | 'binaryOpCount' | 'reduceOpCount'>): string | null {
  const counts = [['unary', addon.unaryOpCount, UNARY_OPS.length], ['binary', addon.binaryOpCount, BINARY_OPS.length],
    ['reduce', addon.reduceOpCount, REDUCE_OPS.length]] as const;
  for (const [family, have, want] of counts) {
    if (have !== want) {
      const knows = typeof have === 'number' ? `knows ${have} ${family} ops` : `does not say how many ${family} ops it knows`;
      return `native backend: the addon ${knows}, src/backend/opcodes.ts has ${want} (it was built from other sources); run \`npx node-gyp rebuild\``;
    }
  }
  return null;
}

const check = kernelChecks('native');
const need = check.need;

function makeBackend(addon: NativeAddon): Backend<F32> {
  const meta = new Float64Array(META_LENGTH);
  const geometry = new Float64Array(14);
  const writeGeometry = (g: Conv2dGeometry): Float64Array => packGeometry(geometry, g);
  const js = jsBackend as unknown as Backend<F32>;

  return {
    name: 'native',
    supportsDType: (dtype: DType) => dtype === 'float32',
    hostVisible: true,
    garbageCollected: true,
    alloc(dtype, size) {
      if (dtype !== 'float32') throw new Error(`native backend alloc: dtype '${dtype}' is not supported (float32 only); use the js backend for float64`);
      // The js backend's pool: reused arrays skip page faults and zeroing (see host-pool.ts).
      return hostPool.alloc('float32', size) as F32;
    },
    upload: (data: TypedArray) => (data instanceof Float32Array ? data.slice() : Float32Array.from(data)),
    readSync: (s) => s,
    read: async (s) => s,
    free: (s: F32) => hostPool.release(s),
    fill: (out, size, value) => { out.fill(value, 0, size); },

    unary(op, x, out, size, params) {
      const code = check.unary(op, x, out, size);
      addon.unary(code, x, out, size, params.alpha ?? 0, params.beta ?? 0);
    },

    activationGrad(act: ActivationGradOp, y, g, out, size) {
      const code = check.activationGrad(act, y, g, out, size);
      addon.activationGrad(code, y, g, out, size);
    },

    binary(op, a, aStrides, b, bStrides, out, outShape) {
      const code = check.binary(op, a, aStrides, b, bStrides, out, outShape, meta);
      if (code === null) js.binary(op, a, aStrides, b, bStrides, out, outShape);
      else addon.binary(code, a, b, out, meta);
    },

    bceLogitsWithGrad(logits, target, loss, grad, size) {
      check.bceLogitsWithGrad(logits, target, loss, grad, size);
      addon.bceLogitsWithGrad(logits, target, loss, grad, size);
    },

    where(cond, cs, a, as, b, bs, out, outShape) {
      if (check.where(cond, cs, a, as, b, bs, out, outShape, meta)) addon.where(cond, a, b, out, meta);
      else js.where(cond, cs, a, as, b, bs, out, outShape);
    },

    copy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape) {
      if (check.copy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape, meta)) addon.copy(src, dst, meta);
      else js.copy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape);
    },

    reduce(op, x, out, outer, size, inner) {
      const code = check.reduce(op, x, out, outer, size, inner);
      addon.reduce(code, x, out, outer, size, inner);
    },

    matmul(a, b, out, p: MatmulParams) {
      const { batch, m, n, k, transA, transB, strideA, strideB } = p;
      const bias = (p.bias ?? null) as F32 | null;
      const act = check.matmul(a, b, out, p);
      addon.matmul(a, b, out, batch, m, n, k, transA, transB, strideA, strideB, bias, act);
    },

    softmax(x, out, outer, size, inner, log) {
      check.softmax(x, out, outer, size, inner);
      addon.softmax(x, out, outer, size, inner, log);
    },

    im2col(x, cols, g) {
      check.im2col(x, cols, g);
      addon.im2col(x, cols, writeGeometry(g));
    },

    col2im(cols, out, g) {
      check.col2im(cols, out, g);
      addon.col2im(cols, out, writeGeometry(g));
    },

    ...convKernels(addon, need, writeGeometry),

    sgdStep(param, grad, buf, size, p: SgdParams) {
      check.sgdStep(param, grad, buf, size);
      addon.sgd(param, grad, buf, size, p.lr, p.momentum, p.dampening, p.weightDecay, p.maximize ? -1 : 1,
        p.nesterov, p.firstStep);
    },

    adamStep(param, grad, m, v, vMax, size, p: AdamParams) {
      const { stepSize, bc2Sqrt } = check.adamStep(param, grad, m, v, vMax, size, p);
      addon.adam(param, grad, m, v, vMax, size, p.lr, p.beta1, p.beta2, p.eps, p.weightDecay,
        stepSize, bc2Sqrt, p.decoupled);
    },

    // One addon call for all of an optimizer group's parameters (the per-call cost, not the
    // arithmetic, is what this saves: W1 has 8 parameters).
    adamSteps(slots, p: AdamParams) {
      let c = { stepSize: 0, bc2Sqrt: 0 };
      for (const s of slots) c = check.adamStep(s.param, s.grad, s.m, s.v, s.vMax, s.size, p);
      const amsgrad = slots.every((s) => s.vMax !== null);
      if (!amsgrad && slots.some((s) => s.vMax !== null)) throw new Error('native adamSteps: either every slot has vMax (amsgrad) or none');
      addon.adamMany(slots.map((s) => s.param), slots.map((s) => s.grad), slots.map((s) => s.m), slots.map((s) => s.v),
        amsgrad ? slots.map((s) => s.vMax as F32) : null, slots.map((s) => s.size), p.lr, p.beta1, p.beta2, p.eps,
        p.weightDecay, c.stepSize, c.bc2Sqrt, p.decoupled);
    },

    // Vectorised and split over the thread pool: ~0.03 ms for a W1 batch (256 × 784) against
    // ~0.2 ms for js's table lookup. The addon checks the rows and out's length.
    gatherRows(src, rowSize, rows, divisor, out, background = false) {
      if (!background) {
        addon.gatherBytes(src, rowSize, rows, divisor, out);
        return finished;
      }
      const handle = addon.gatherBytesStart(src, rowSize, rows, divisor, out);
      return () => addon.gatherBytesWait(handle);
    },

    reparameterize(stats, eps, z, kl, rows, latent) {
      check.reparameterize(stats, eps, z, kl, rows, latent);
      addon.reparameterize(stats, eps, z, kl, rows, latent);
    },

    reparameterizeBackward(stats, eps, dz, dkl, dstats, rows, latent) {
      check.reparameterizeBackward(stats, eps, dz, dkl, dstats, rows, latent);
      addon.reparameterizeBackward(stats, eps, dz, dkl, dstats, rows, latent);
    },

    random(kind, out, size, key, counter, p, x) {
      addon.random(check.random(kind, out, size, x), out, size, key[0], key[1], counter, p.mean ?? 0, p.std ?? 1,
        bernoulliThreshold(p.p ?? 0.5), p.value ?? 1, x ?? null, p.low ?? -Infinity, p.high ?? Infinity);
    },

    describe: () => ({ backend: 'native', ...nativeInfo() }),
  };
}

/**
 * Loads the addon and builds the backend; on failure `backend` is null and `reason` says why
 * (missing build, failed build recorded at install, or a load error), so the engine can fall
 * back to `js` with one clear warning.
 */
export function loadNativeBackend(): { backend: Backend<Float32Array> | null; reason: string } {
  const { addon, reason } = loadNativeBackendAddon();
  if (addon === null) return { backend: null, reason };
  backend ??= makeBackend(addon);
  return { backend, reason };
}

/** The active ISA, the ISAs this CPU can run, the thread count and the GEMM micro-tile. */
export function nativeInfo(): NativeInfo {
  const i = addonOrThrow('nativeInfo').info();
  return { isa: i.isa, available: i.available.split(','), threads: i.threads, gemmTile: i.gemmTile, arch: i.arch };
}

/** Forces the kernel path (tests run each ISA in turn). TESSERA_ISA sets it at load time. */
export function setNativeIsa(isa: NativeIsa): void {
  addonOrThrow('setNativeIsa').setIsa(isa);
}

/** Resizes the native thread pool (TESSERA_THREADS sets it at load time). */
export function setNativeThreads(n: number): void {
  const addon = addonOrThrow('setNativeThreads');
  // The cap and why: native/thread_pool.h, kMaxThreads.
  if (!Number.isInteger(n) || n < 1 || n > addon.maxThreads) {
    throw new RangeError(`setNativeThreads: expected an integer in [1, ${addon.maxThreads}], got ${n} (more threads than cores only time-slice)`);
  }
  addon.setThreads(n);
}

/**
 * The native backend's ceilings for the profiler (src/backend/peak.ts): bench/peak/fma_peak.c's
 * loop (native/peak_loops.h) at the pool's size and the active ISA's width, and the addon's copy
 * loop, both timed by CPU time; the portable path's kernels are not AVX, so it gets no FMA figure.
 */
export function measureNativePeak({ seconds, copyBytes }: { seconds: number; copyBytes: number }): BackendPeak {
  const addon = addonOrThrow('measureNativePeak');
  const { isa, threads } = nativeInfo();
  const name = isa === 'avx512' ? 'AVX-512' : isa === 'avx2' ? 'AVX2' : null;
  const gflops = name ? addon.peakFma(isa === 'avx512' ? 512 : 256, threads, seconds) : -1, gbps = addon.peakCopy(copyBytes, threads, 4);
  if (!(gbps > 0)) throw new Error(`measureNativePeak: the copy loop failed over ${copyBytes} bytes, ${threads} threads`);
  return { gflops: gflops > 0 ? gflops : null, gbps, loop: gflops > 0 ? `${name} FMA loop of bench/peak/fma_peak.c, ${threads} thread(s)` : `no FMA loop for the '${isa}' kernel path` };
}

registerPeakLoops('native', measureNativePeak);

/** The raw addon, for benchmarks (gemmNaive, noop); null when it is not built. */
export function nativeAddon(): NativeAddon | null {
  return loadNativeBackendAddon().addon;
}
