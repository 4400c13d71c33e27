// A size-bucketed pool of host arrays for the CPU backends (js, native).
//
// Why: a training step frees and re-creates the same few dozen arrays every step. A fresh
// Float32Array of a 256×784 activation is 800 KB of new pages: the kernel faults them in and
// zeroes them before the first write, which measured as more time than the arithmetic of the
// elementwise ops that use them. Reusing freed arrays of the same size removes both costs.
// Arrays come back uninitialised: every kernel overwrites its whole output.
import type { DType, TypedArray } from '../backend.js';

const MAX_PER_SIZE = 16;
const MAX_POOLED_BYTES = 512 * 1024 * 1024;

export class HostBufferPool {
  private readonly free32 = new Map<number, Float32Array[]>();
  private readonly free64 = new Map<number, Float64Array[]>();
  private pooledBytes = 0;
  reused = 0;
  created = 0;

  alloc(dtype: DType, size: number): TypedArray {
    const bucket = dtype === 'float64' ? this.free64.get(size) : this.free32.get(size);
    const reusable = bucket?.pop();
    if (reusable) {
      this.pooledBytes -= reusable.byteLength;
      this.reused++;
      return reusable;
    }
    this.created++;
    return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  }

  /** Takes back an array nobody uses any more (its tensor's storage reached zero references). */
  release(array: TypedArray): void {
    const size = array.length;
    if (size === 0 || this.pooledBytes + array.byteLength > MAX_POOLED_BYTES) return;
    // Only whole arrays: a subarray view would alias memory someone else owns.
    if (array.byteOffset !== 0 || array.buffer.byteLength !== array.byteLength) return;
    const map = (array instanceof Float64Array ? this.free64 : this.free32) as Map<number, TypedArray[]>;
    let bucket = map.get(size);
    if (!bucket) { bucket = []; map.set(size, bucket); }
    if (bucket.length >= MAX_PER_SIZE) return;
    bucket.push(array);
    this.pooledBytes += array.byteLength;
  }

  stats(): { pooledBytes: number; reused: number; created: number } {
    return { pooledBytes: this.pooledBytes, reused: this.reused, created: this.created };
  }
}

/** One pool for both CPU backends: they share the storage type, so arrays move freely between them. */
export const hostPool = new HostBufferPool();
