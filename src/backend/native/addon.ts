// Finding and loading the compiled addon (a build from source or a prebuild), and its raw signature.
// The loader walks up from this file to the package root (the folder holding package.json),
// because this module runs both from src/ (vitest) and from dist/src/ (after tsc).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot as findPackageRoot } from '../../util/package-root.js';

type F32 = Float32Array;
/** A background gather's handle (an N-API external holding the gather and its arrays until finished). */
type GatherHandle = object;

/** The functions native/addon.cc registers (argument order as there). */
export interface NativeAddon {
  unary(op: number, x: F32, out: F32, size: number, alpha: number, beta: number): void;
  /** act: ACTIVATION_CODES of src/backend/opcodes.ts (ActCode of native/isa.h). */
  activationGrad(act: number, y: F32, g: F32, out: F32, size: number): void;
  /** meta: [rank, outShape, aStrides, bStrides] */
  binary(op: number, a: F32, b: F32, out: F32, meta: Float64Array): void;
  bceLogitsWithGrad(logits: F32, target: F32, loss: F32, grad: F32, size: number): void;
  /** meta: [rank, outShape, condStrides, aStrides, bStrides] */
  where(cond: F32, a: F32, b: F32, out: F32, meta: Float64Array): void;
  /** meta: [rank, srcOffset, dstOffset, shape, srcStrides, dstStrides] */
  copy(src: F32, dst: F32, meta: Float64Array): void;
  reduce(op: number, x: F32, out: F32, outer: number, size: number, inner: number): void;
  softmax(x: F32, out: F32, outer: number, size: number, inner: number, log: boolean): void;
  matmul(a: F32, b: F32, out: F32, batch: number, m: number, n: number, k: number, transA: boolean,
    transB: boolean, strideA: number, strideB: number, bias: F32 | null, act: number): void;
  gemmNaive(a: F32, b: F32, out: F32, batch: number, m: number, n: number, k: number, transA: boolean,
    transB: boolean, strideA: number, strideB: number): void;
  /** How matmul splits that product among `threads` (native/gemm.cc's gemmSplit): [row blocks, column blocks]. */
  gemmSplit(batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, threads: number): [number, number];
  /** The output channels the conv weight gradient takes at a time (native/conv_direct.h's convWeightGroup). */
  convWeightGroup(c: number, taps: number, bias: boolean, cout: number): number;
  /** The worker that ran each of `tasks` tasks of one pool job, each busy `spin` loop iterations (native/thread_pool.h). */
  parallelForOwners(tasks: number, spin: number): Int32Array;
  /** geometry: [n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow] */
  im2col(x: F32, cols: F32, geometry: Float64Array): void;
  col2im(cols: F32, out: F32, geometry: Float64Array): void;
  /** geometry as im2col's (c: input channels); naive runs the double-sum reference loops. */
  convForward(x: F32, w: F32, bias: F32 | null, y: F32, geometry: Float64Array, cout: number, act?: number, naive?: boolean, argmax?: F32 | null): void;
  convBackwardData(gy: F32, w: F32, bias: F32 | null, gx: F32, geometry: Float64Array, cout: number, act?: number, naive?: boolean): void;
  convBackwardWeight(x: F32, gy: F32, gw: F32, gbias: F32 | null, geometry: Float64Array, cout: number, naive?: boolean, argmax?: F32 | null,
    pooledY?: F32 | null, act?: number): void;
  maxPool(x: F32, y: F32, argmax: F32, geometry: Float64Array): void;
  maxPoolBackward(gy: F32, argmax: F32, gx: F32, geometry: Float64Array): void;
  sgd(param: F32, grad: F32, buf: F32 | null, size: number, lr: number, momentum: number, dampening: number,
    weightDecay: number, sign: number, nesterov: boolean, firstStep: boolean): void;
  adam(param: F32, grad: F32, m: F32, v: F32, vMax: F32 | null, size: number, lr: number, beta1: number,
    beta2: number, eps: number, weightDecay: number, stepSize: number, bc2Sqrt: number, decoupled: boolean): void;
  /** adam over several parameters in one call: slot i is (params[i], grads[i], ms[i], vs[i], vMaxs?.[i], sizes[i]). */
  adamMany(params: F32[], grads: F32[], ms: F32[], vs: F32[], vMaxs: F32[] | null, sizes: number[], lr: number, beta1: number,
    beta2: number, eps: number, weightDecay: number, stepSize: number, bc2Sqrt: number, decoupled: boolean): void;
  /** kind: RANDOM_CODES of src/backend/opcodes.ts; threshold ⌈p·2^24⌉ (src/backend/philox.ts). */
  random(kind: number, out: F32, size: number, key0: number, key1: number, counter: number, mean: number, std: number,
    threshold: number, value: number, x: F32 | null, low: number, high: number): void;
  /** out[i·rowSize + j] = src[rows[i]·rowSize + j] / divisor in float32 (threads over rows); checks bounds. */
  gatherBytes(src: Uint8Array, rowSize: number, rows: Uint32Array, divisor: number, out: F32): void;
  /** gatherBytes begun on the pool's workers between kernels (done already with one thread); gatherBytesWait finishes it. */
  gatherBytesStart(src: Uint8Array, rowSize: number, rows: Uint32Array, divisor: number, out: F32): GatherHandle;
  gatherBytesWait(handle: GatherHandle): void;
  /** src/backend/js/latent.ts's kernels (native/simd_latent.inc); lengths checked by the caller. */
  reparameterize(stats: F32, eps: F32, z: F32, kl: F32, rows: number, latent: number): void;
  reparameterizeBackward(stats: F32, eps: F32, dz: F32 | null, dkl: F32 | null, dstats: F32, rows: number, latent: number): void;
  info(): { isa: string; available: string; threads: number; gemmTile: string; arch: string };
  setIsa(name: string): void;
  /** Throws a RangeError outside [1, maxThreads], and an Error when the system starts fewer threads. */
  setThreads(n: number): void;
  noop(): void;
  /** GFLOP/s of all threads in bench/peak/fma_peak.c's loop (width 512 or 256 bits); negative where the CPU cannot run it. */
  peakFma(width: number, threads: number, seconds: number): number;
  /** Copy bandwidth in GB/s (2·bytes per pass), best of `repeats`; negative on bad arguments. */
  peakCopy(bytes: number, threads: number, repeats: number): number;
  /** The largest thread pool (kMaxThreads in native/thread_pool.h). */
  maxThreads: number;
  /** How many ops the addon's enums hold (U_COUNT, B_COUNT, R_COUNT): src/backend/opcodes.ts's list lengths. */
  unaryOpCount: number;
  binaryOpCount: number;
  reduceOpCount: number;
}

/** Every function of NativeAddon: an addon built from older sources lacks some and is refused. */
const ADDON_FUNCTIONS: readonly Exclude<keyof NativeAddon, 'maxThreads' | 'unaryOpCount' | 'binaryOpCount' | 'reduceOpCount'>[] = [
  'unary', 'activationGrad', 'binary', 'bceLogitsWithGrad', 'where', 'copy', 'reduce', 'softmax', 'matmul', 'gemmNaive', 'gemmSplit',
  'convWeightGroup', 'parallelForOwners', 'im2col', 'col2im',
  'convForward', 'convBackwardData', 'convBackwardWeight', 'maxPool', 'maxPoolBackward', 'sgd', 'adam', 'adamMany', 'random', 'gatherBytes', 'gatherBytesStart', 'gatherBytesWait',
  'reparameterize', 'reparameterizeBackward', 'info', 'setIsa', 'setThreads', 'noop', 'peakFma', 'peakCopy',
];

/** The functions of NativeAddon that `addon` lacks (a build older than these sources). */
export function missingAddonFunctions(addon: object): string[] {
  return ADDON_FUNCTIONS.filter((name) => typeof (addon as Record<string, unknown>)[name] !== 'function');
}

/** The package root (src/util/package-root.ts), or null when there is none: the loader reports why. */
export function packageRoot(): string | null {
  try {
    return findPackageRoot();
  } catch {
    return null;
  }
}

/**
 * The addon file of the package at `root`, as node-gyp-build finds it: a build from source
 * (build/Release/*.node, made by `npm i --build-from-source`, by the install script where no
 * prebuild fits, or by a developer) first, then the prebuild for this platform that the packed
 * package carries (prebuilds/linux-x64/tessera.node, made by scripts/prebuild.mjs). N-API
 * keeps one binary good for every Node ≥ 20; the ISA (AVX-512, AVX2, portable) is chosen inside
 * it at run time (native/cpu_features.cc). Returns why not when there is none.
 */
export function findAddonFile(root: string): { file: string } | { missing: string } {
  const require = createRequire(import.meta.url);
  let resolve: (dir: string) => string;
  try {
    resolve = (require('node-gyp-build') as { path(dir: string): string }).path;
  } catch {
    // Without node-gyp-build (not installed), only a build from source can be found.
    const file = join(root, 'build', 'Release', 'tessera.node');
    return existsSync(file) ? { file } : { missing: `${file} is missing and node-gyp-build, which finds prebuilds, is not installed` };
  }
  try {
    return { file: resolve(root) };
  } catch (e) {
    return { missing: `neither build/Release/tessera.node nor a prebuild in ${join(root, 'prebuilds')} fits this machine (${(e as Error).message.split('\n')[0]})` };
  }
}

/** Loads the addon (from `root`, by default this package's), or says why it could not. */
export function loadAddon(root: string | null = packageRoot()): { addon: NativeAddon | null; reason: string } {
  if (root === null) return { addon: null, reason: 'native backend: no package root (package.json) above src/backend/native/addon.ts' };
  const found = findAddonFile(root);
  if ('missing' in found) {
    // The install script records why the build did not happen (scripts/build-native.mjs).
    let why = 'it was never built';
    const status = join(root, 'build', 'native-status.json');
    if (existsSync(status)) {
      try { why = String((JSON.parse(readFileSync(status, 'utf8')) as { reason?: unknown }).reason ?? why); } catch { /* keep default */ }
    }
    return { addon: null, reason: `native backend: ${found.missing} (${why}); run \`npx node-gyp rebuild\` in ${root}` };
  }
  const file = found.file;
  try {
    const addon = createRequire(import.meta.url)(file) as NativeAddon;
    const missing = missingAddonFunctions(addon);
    if (missing.length > 0) {
      return { addon: null, reason: `native backend: ${file} was built from older sources (it has no ${missing.join(', ')}); run \`npx node-gyp rebuild\` in ${root}` };
    }
    return { addon, reason: 'loaded' };
  } catch (err) {
    return { addon: null, reason: `native backend: loading ${file} failed: ${(err as Error).message}` };
  }
}
