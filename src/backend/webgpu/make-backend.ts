// The webgpu Backend object on a device context, whichever host made it: index.ts's
// initWebGPU (Node, Dawn) or browser.ts's initWebGPUFrom (a page's navigator.gpu).
// No Node module here, so the page's bundle can include it.
import type { Backend, DType, TypedArray } from '../backend.js';
import type { DeviceContext } from './device-core.js';
import type { GpuKernelTimer } from './kernel-timer.js';
import { GpuRuntime, GpuStorage } from './runtime.js';
import { activationGrad, bceLogitsWithGrad, binary, copy, fill, unary, where } from './kernels-elementwise.js';
import { reduce, softmax } from './kernels-reduce.js';
import { matmul, tileConfigFor } from './kernels-matmul.js';
import { col2im, conv2d, conv2dBackwardData, conv2dBackwardWeight, im2col, maxPool2d, maxPool2dBackward } from './kernels-conv.js';
import { adamStep, sgdStep } from './kernels-optim.js';
import { finished, gatherRows } from '../js/gather.js';
import { random } from './kernels-random.js';
import { reparameterize, reparameterizeBackward } from './kernels-latent.js';

export interface WebGPUStats {
  /** Storage buffers handed out and not freed. */
  liveBuffers: number;
  /** Bytes of those buffers (pool bucket sizes). */
  bytesHeld: number;
  /** Bytes of freed buffers kept for reuse. */
  bytesPooled: number;
  /** createBuffer calls for storage (pool misses). */
  allocations: number;
  /** GPU → host copies (each one a map of a staging buffer). */
  readbacks: number;
  dispatches: number;
  submits: number;
  /** Compiled pipelines in the cache (one per shader specialisation). */
  pipelines: number;
}

/** The webgpu backend, plus what only it has. */
export interface WebGPUBackend extends Backend<GpuStorage> {
  readonly runtime: GpuRuntime;
  stats(): WebGPUStats;
  /** Destroys the pooled (free) buffers. */
  trim(): void;
  /** GPU time per kernel call from timestamp queries (src/inspect/step-trace.ts); null without 'timestamp-query'. */
  readonly gpuTimer: GpuKernelTimer | null;
  /** Releases the device; the backend is unusable afterwards. */
  destroy(): void;
}

function asFloat32(op: string, dtype: DType): void {
  if (dtype !== 'float32') throw new Error(`webgpu ${op}: dtype ${dtype} is not supported (webgpu stores float32 only)`);
}

/** The backend on a device context; `onDestroy` runs after destroy() released the device. */
export function backendOnDevice(ctx: DeviceContext, maxDispatchesPerSubmit = 64, onDestroy?: (backend: WebGPUBackend) => void): WebGPUBackend {
  const rt = new GpuRuntime(ctx, maxDispatchesPerSubmit);
  const info = ctx.info;
  const backend: WebGPUBackend = {
    name: 'webgpu',
    runtime: rt,
    gpuTimer: rt.dispatcher.timer,
    supportsDType: (dtype) => dtype === 'float32',
    hostVisible: false,
    garbageCollected: false,
    alloc: (dtype, size) => { asFloat32('alloc', dtype); return rt.alloc(size); },
    upload: (data: TypedArray) => {
      if (!(data instanceof Float32Array)) throw new Error('webgpu upload: expected a Float32Array (webgpu stores float32 only)');
      return rt.upload(data);
    },
    readSync: () => null,
    read: async (s, dtype, size) => { asFloat32('read', dtype); return rt.read(s, size); },
    free: (s) => rt.free(s),
    fill: (out, size, value) => fill(rt, out, size, value),
    unary: (op, x, out, size, p) => unary(rt, op, x, out, size, p),
    activationGrad: (act, y, g, out, size) => activationGrad(rt, act, y, g, out, size),
    binary: (op, a, as, b, bs, out, shape) => binary(rt, op, a, as, b, bs, out, shape),
    bceLogitsWithGrad: (logits, target, loss, grad, size) => bceLogitsWithGrad(rt, logits, target, loss, grad, size),
    where: (c, cs, a, as, b, bs, out, shape) => where(rt, c, cs, a, as, b, bs, out, shape),
    reduce: (op, x, out, outer, size, inner) => reduce(rt, op, x, out, outer, size, inner),
    copy: (src, so, ss, dst, doff, ds, shape) => copy(rt, src, so, ss, dst, doff, ds, shape),
    matmul: (a, b, out, p) => matmul(rt, a, b, out, p),
    softmax: (x, out, outer, size, inner, log) => softmax(rt, x, out, outer, size, inner, log),
    im2col: (x, cols, g) => im2col(rt, x, cols, g),
    col2im: (cols, out, g) => col2im(rt, cols, out, g),
    conv2d: (x, w, bias, y, g, cout, act) => conv2d(rt, x, w, bias, y, g, cout, act),
    conv2dBackwardData: (gy, w, bias, gx, g, cout, act) => conv2dBackwardData(rt, gy, w, bias, gx, g, cout, act),
    conv2dBackwardWeight: (x, gy, gw, gbias, g, cout) => conv2dBackwardWeight(rt, x, gy, gw, gbias, g, cout),
    maxPool2d: (x, y, argmax, g) => maxPool2d(rt, x, y, argmax, g),
    maxPool2dBackward: (gy, argmax, gx, g) => maxPool2dBackward(rt, gy, argmax, gx, g),
    sgdStep: (param, grad, buf, size, p) => sgdStep(rt, param, grad, buf, size, p),
    adamStep: (param, grad, m, v, vMax, size, p) => adamStep(rt, param, grad, m, v, vMax, size, p),
    // The bytes are on the host: gather them there (js's kernel, at once) and write the rows to the GPU.
    gatherRows: (src, rowSize, rows, divisor, out) => {
      const host = new Float32Array(rows.length * rowSize);
      gatherRows(src, rowSize, rows, divisor, host);
      rt.write(out, host);
      return finished;
    },
    random: (kind, out, size, key, counter, p, x) => random(rt, kind, out, size, key, counter, p, x),
    reparameterize: (stats, eps, z, kl, rows, latent) => reparameterize(rt, stats, eps, z, kl, rows, latent),
    reparameterizeBackward: (stats, eps, dz, dkl, dstats, rows, latent) => reparameterizeBackward(rt, stats, eps, dz, dkl, dstats, rows, latent),
    sync: () => rt.dispatcher.sync(),
    describe: () => ({
      backend: 'webgpu', adapter: info.description || info.device, device: info.device, vendor: info.vendor, architecture: info.architecture,
      featureLevel: info.featureLevel, dawnBackend: info.backend, cpu: info.cpu,
      matmulTile: tileConfigFor(rt.ctx.device.limits), workgroupSize: rt.config.wg, dtypes: ['float32'],
      // Whether GPU-side kernel times can be read (tessera profile says why it has none).
      timestampQuery: rt.dispatcher.timer !== null,
    }),
    stats: () => ({ ...rt.pool.stats(), readbacks: rt.readbacks, ...rt.dispatcher.stats() }),
    trim: () => { rt.dispatcher.flush(); rt.pool.trim(); },
    destroy: () => {
      rt.destroy();
      rt.ctx.device.destroy();
      onDestroy?.(backend);
    },
  };
  return backend;
}

