// The kernel interface every backend implements. (The registry that picks a backend is
// registry.ts, re-exported here so that `getBackend` and the rest come from this one module.)
//
// Ops (src/ops/) validate arguments, compute output shapes, allocate the output through
// the backend and call ONE of the kernels below. Gradients are written in terms of ops, so a
// backend that implements these kernels gets autodiff for free. Keep this list small: a new
// kernel is justified only by a measurement (the fused matmul epilogue, softmax, the
// optimizer updates) or by something that cannot be composed (im2col).
//
// Conventions shared by all kernels:
// - Storage is backend-specific and opaque to ops. `js` and `native` use a Float32Array
//   (Float64Array for float64 tensors on `js`); `wasm` a Float32Array on its module's shared memory; `webgpu` uses a pooled GPUBuffer.
// - Every tensor's storage is contiguous, row-major. Views do not exist: reshape shares
//   storage, everything else (transpose, slice, expand) is a `copy` with strides.
// - `out` is always allocated by the caller and fully overwritten unless a kernel says it
//   accumulates. Strides are in elements, and a stride of 0 means broadcast.

export type DType = 'float32' | 'float64';
export type BackendName = 'js' | 'native' | 'wasm' | 'webgpu';
export type TypedArray = Float32Array | Float64Array;
/** A shape, or strides in elements, one number per axis. */
export type Dims = readonly number[];

// The op names and their code numbers live in one table, opcodes.ts (shared with native/ and shaders/).
import type { Activation, ActivationGradOp, BinaryOp, RandomKind, ReduceOp, UnaryOp } from './opcodes.js';
import type { RandomParams } from './philox.js';
export type { Activation, ActivationGradOp, BinaryOp, RandomKind, RandomParams, ReduceOp, UnaryOp };
export { ACTIVATIONS, BINARY_OPS, RANDOM_KINDS, REDUCE_OPS, UNARY_OPS } from './opcodes.js';
export { getBackend, hasBackend, registerBackend, registerLazyBackend, registeredBackends, setBackend, setDefaultBackendChooser } from './registry.js';

export interface UnaryParams {
  alpha?: number;
  beta?: number;
}

export interface MatmulParams {
  /** Number of matrix products; out has shape [batch, m, n]. */
  batch: number;
  m: number;
  n: number;
  k: number;
  /** A is stored [k, m] (so A·B uses Aᵀ of the storage); otherwise [m, k]. */
  transA: boolean;
  /** B is stored [n, k]; otherwise [k, n]. */
  transB: boolean;
  /** Elements between consecutive batch items of A and B; 0 broadcasts one matrix. */
  strideA: number;
  strideB: number;
  /** Optional bias of length n added to every row, then the activation. */
  bias?: unknown;
  activation?: Activation;
}

/** Geometry of a 2-D convolution, shared by im2col and col2im. */
export interface Conv2dGeometry {
  n: number; c: number; h: number; w: number;     // input [n, c, h, w]
  kh: number; kw: number;                          // kernel
  sh: number; sw: number;                          // stride
  ph: number; pw: number;                          // zero padding
  dh: number; dw: number;                          // dilation
  oh: number; ow: number;                          // output spatial size
}

export interface SgdParams {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  /** First step: the momentum buffer is initialised to the gradient (PyTorch's rule). */
  firstStep: boolean;
  maximize?: boolean;
}

export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: decay the weights directly (p -= lr·wd·p) instead of adding wd·p to the gradient. */
  decoupled: boolean;
  /** 1-based step count, for bias correction. */
  step: number;
  amsgrad?: boolean;
}

/**
 * A backend: memory plus a small set of kernels. `S` is its storage handle.
 * Sizes are element counts. All kernels may run asynchronously (webgpu enqueues); only
 * `read` / `readSync` observe results.
 */
export interface Backend<S = unknown> {
  readonly name: BackendName;
  /** Which dtypes this backend stores. `js` takes float64 too (for gradcheck). */
  supportsDType(dtype: DType): boolean;
  /**
   * Storage is a host typed array (Float32Array; Float64Array for float64) that readSync returns
   * as is (js, native). Library code may then fill storage from `alloc` on the host and adopt it
   * with the `fromStorage` op (a batch gathered in place), and run `gatherRows` into host arrays.
   */
  readonly hostVisible: boolean;
  /**
   * The garbage collector reclaims storage that nobody disposed (host arrays: js, native). When
   * false (webgpu's pooled GPU buffers), memory.ts registers every tensor with a
   * FinalizationRegistry that frees its storage as a safety net.
   */
  readonly garbageCollected: boolean;

  // ---- memory --------------------------------------------------------------------------
  alloc(dtype: DType, size: number): S;
  /** Copies host data into new storage. */
  upload(data: TypedArray): S;
  /** Host copy (or the array itself on CPU backends, which callers must not mutate). */
  readSync(s: S, dtype: DType, size: number): TypedArray | null;
  read(s: S, dtype: DType, size: number): Promise<TypedArray>;
  free(s: S): void;

  // ---- kernels -------------------------------------------------------------------------
  /** out[i] = value */
  fill(out: S, size: number, value: number): void;
  /** out[i] = f(x[i]) */
  unary(op: UnaryOp, x: S, out: S, size: number, params: UnaryParams): void;
  /**
   * out[i] = g[i] · act'(x[i]) written with the output y = act(x): relu 1[y > 0], sigmoid y(1 − y),
   * tanh 1 − y². One pass instead of two or three elementwise kernels in every activation's backward.
   */
  activationGrad(act: ActivationGradOp, y: S, g: S, out: S, size: number): void;
  /**
   * out[idx] = a[idx·aStrides] (op) b[idx·bStrides] for every index of outShape.
   * aStrides/bStrides have outShape's rank, with 0 on broadcast axes.
   */
  binary(op: BinaryOp, a: S, aStrides: Dims, b: S, bStrides: Dims, out: S, outShape: Dims): void;
  /** loss[i] = binary 'bceLogits' and grad[i] = 'bceLogitsGrad' of logits[i], target[i], i < size, in one pass. */
  bceLogitsWithGrad(logits: S, target: S, loss: S, grad: S, size: number): void;
  /** out = cond != 0 ? a : b, with broadcasting as in `binary`. */
  where(cond: S, condStrides: Dims, a: S, aStrides: Dims, b: S, bStrides: Dims, out: S, outShape: Dims): void;
  /**
   * x viewed as [outer, size, inner] → out [outer, inner]. argmax/argmin write indices
   * (as float values) of the first extreme element.
   */
  reduce(op: ReduceOp, x: S, out: S, outer: number, size: number, inner: number): void;
  /**
   * Strided copy: for every index of `shape`,
   * dst[dstOffset + idx·dstStrides] = src[srcOffset + idx·srcStrides].
   * Covers transpose/permute, slice, pad (slice's backward), concat and expand.
   */
  copy(src: S, srcOffset: number, srcStrides: Dims, dst: S, dstOffset: number, dstStrides: Dims, shape: Dims): void;
  /** out = act(A·B + bias), see MatmulParams. out is contiguous [batch, m, n]. */
  matmul(a: S, b: S, out: S, p: MatmulParams): void;
  /** Stable (log-)softmax over the middle axis of [outer, size, inner]. */
  softmax(x: S, out: S, outer: number, size: number, inner: number, log: boolean): void;
  /** x [n, c, h, w] → cols [n, c·kh·kw, oh·ow]. */
  im2col(x: S, cols: S, g: Conv2dGeometry): void;
  /** cols [n, c·kh·kw, oh·ow] → out [n, c, h, w], summing overlapping patches (overwrites out). */
  col2im(cols: S, out: S, g: Conv2dGeometry): void;
  /**
   * Direct convolution, PyTorch's Conv2d: x [n, c, h, w] ⋆ weight [cout, c, kh, kw] (+ bias [cout])
   * → y [n, cout, oh, ow], g as for im2col (c the input channels). No column matrix. activation
   * (default 'none') is applied to each stored output, after the bias, as matmul's epilogue.
   */
  conv2d(x: S, weight: S, bias: S | null, y: S, g: Conv2dGeometry, cout: number, activation?: Activation): void;
  /**
   * The adjoint of conv2d in x: gy [n, cout, oh, ow], weight [cout, c, kh, kw] → gx [n, c, h, w]
   * (overwritten), plus bias [c] when given, then activation as conv2d's. Also ConvTranspose2d's
   * forward, bias and activation included.
   */
  conv2dBackwardData(gy: S, weight: S, bias: S | null, gx: S, g: Conv2dGeometry, cout: number, activation?: Activation): void;
  /**
   * The adjoint of conv2d in the weight: x, gy → gw [cout, c, kh, kw] (overwritten), and when
   * gbias is given, gbias [cout] = Σ of gy over images and pixels (the bias gradient, same pass).
   */
  conv2dBackwardWeight(x: S, gy: S, gw: S, gbias: S | null, g: Conv2dGeometry, cout: number): void;
  /**
   * Max over each window (g.c channels, padding outside the max) → y [n, c, oh, ow], and argmax
   * [n, c, oh, ow]: iy·w + ix of the window's first maximum in its plane (a NaN wins), as a float.
   */
  maxPool2d(x: S, y: S, argmax: S, g: Conv2dGeometry): void;
  /**
   * conv2d then maxPool2d with a 2×2 window, stride 2, then activation, into y [n, cout, ⌊oh/2⌋, ⌊ow/2⌋] and
   * argmax, without storing the [n, cout, oh, ow] map; optional: without it the op runs the three.
   */
  conv2dMaxPool?(x: S, weight: S, bias: S | null, y: S, argmax: S, g: Conv2dGeometry, cout: number, activation?: Activation): void;
  /**
   * conv2dBackwardWeight from gy [n, cout, ⌊oh/2⌋, ⌊ow/2⌋], the gradient of conv2dMaxPool's output y (through the
   * activation's derivative, read from y, first), and its argmax, without storing the map's gradient; optional:
   * without it the op stores it (activationGrad, maxPool2dBackward) and runs conv2dBackwardWeight.
   */
  conv2dMaxPoolBackwardWeight?(x: S, gy: S, argmax: S, gw: S, gbias: S | null, g: Conv2dGeometry, cout: number, y?: S, activation?: Activation): void;
  /** gx [n, c, h, w] (overwritten) = Σ of gy over the windows whose argmax is that pixel. */
  maxPool2dBackward(gy: S, argmax: S, gx: S, g: Conv2dGeometry): void;
  /** In-place SGD update of param (and its momentum buffer, when momentum > 0). */
  sgdStep(param: S, grad: S, momentumBuf: S | null, size: number, p: SgdParams): void;
  /** In-place Adam/AdamW update of param, m and v (and vMax when amsgrad). */
  adamStep(param: S, grad: S, m: S, v: S, vMax: S | null, size: number, p: AdamParams): void;
  /** adamStep over many parameters (one step count) in one call; optional: without it the op loops adamStep. */
  adamSteps?(slots: { param: S; grad: S; m: S; v: S; vMax: S | null; size: number }[], p: AdamParams): void;
  /**
   * out[i·rowSize + j] = src[rows[i]·rowSize + j] / divisor, rounded to float32: a batch of byte
   * rows (uint8 images) gathered from host memory and scaled. Rows must be in range and out must
   * hold rows.length·rowSize values (callers check; native checks again). Returns the function that
   * finishes the gather. With `background`, a backend with threads to spare between kernels may leave
   * the rows to them (native: its pool's workers, while a training step's serial parts run on the
   * caller; what is left runs on the calling thread when it finishes): until then `out` must not be
   * read, nor src and rows changed. Otherwise the rows are there on return.
   */
  gatherRows(src: Uint8Array, rowSize: number, rows: Uint32Array, divisor: number, out: S, background?: boolean): () => void;
  /**
   * The VAE's latent layer in one pass (src/ops/latent.ts): stats [rows, 2·latent] = μ ‖ log σ²,
   * eps [rows, latent] → z = μ + e^(½ log σ²)·ε [rows, latent] and kl [rows] = ½ Σ_j (μ² + σ² − 1 − log σ²).
   */
  reparameterize(stats: S, eps: S, z: S, kl: S, rows: number, latent: number): void;
  /** Its adjoint: dz [rows, latent] and dkl [rows] (either null: zero) → dstats [rows, 2·latent] (overwritten). */
  reparameterizeBackward(stats: S, eps: S, dz: S | null, dkl: S | null, dstats: S, rows: number, latent: number): void;

  /**
   * Counter-based random numbers (Philox4x32-10): out[0:size] drawn from blocks counter ..
   * counter + ⌈size/4⌉ − 1 under key, as src/backend/philox.ts (the reference) defines.
   * Optional: ops fall back to that reference on the host plus an upload where a backend has none.
   * x: gaussianNoise's input (size elements; out = clamp(x + mean + std·z, low, high)).
   */
  random?(kind: RandomKind, out: S, size: number, key: readonly [number, number], counter: number, params: RandomParams, x?: S): void;

  /** Waits until all enqueued work is done (webgpu); a no-op on CPU backends. */
  sync?(): Promise<void>;
  /** Human-readable description: ISA path, thread count, adapter. */
  describe(): Record<string, unknown>;
}
