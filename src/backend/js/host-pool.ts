// A size-bucketed pool of host arrays for the CPU backends (js, native).
//
// Why: a training step frees and re-creates the same few dozen arrays every step. A fresh
// Float32Array of a 256×784 activation is 800 KB of new pages: the kernel faults them in and
// zeroes them before the first write, which measured as more time than the arithmetic of the
// elementwise ops that use them. Reusing freed arrays of the same size removes both costs.
// Arrays come back uninitialised: every kernel overwrites its whole output.
//
// A request with no free array of its exact size borrows the smallest free array of up to twice
// its size, as a view of its first `size` elements (and the whole array comes back when the view
// is released). So an epoch's short last batch and an evaluation in batches of fewer rows run in
// the training batch's arrays instead of a second set beside them: for the conv autoencoder
// (W2), a second set beside the step's own (bench/RESULTS.md, "Peak memory": W2's peak 386 → 190 MiB
// with this and evaluation batches sized by bytes).
import type { DType, TypedArray } from '../backend.js';

const MAX_PER_SIZE = 16;
const MAX_POOLED_BYTES = 512 * 1024 * 1024;
/** A borrowed array is at most this many times the request: a small request never pins a large array. */
const MAX_BORROW_RATIO = 2;

export class HostBufferPool {
  private readonly free32 = new Map<number, Float32Array[]>();
  private readonly free64 = new Map<number, Float64Array[]>();
  /** The pooled array each lent view was cut from. */
  private readonly borrowedFrom = new WeakMap<TypedArray, TypedArray>();
  private pooledBytes = 0;
  reused = 0;
  borrowed = 0;
  created = 0;

  alloc(dtype: DType, size: number): TypedArray {
    const map = (dtype === 'float64' ? this.free64 : this.free32) as Map<number, TypedArray[]>;
    const reusable = map.get(size)?.pop();
    if (reusable) {
      this.pooledBytes -= reusable.byteLength;
      this.reused++;
      return reusable;
    }
    const larger = this.smallestFreeAbove(map, size);
    if (larger) {
      this.pooledBytes -= larger.byteLength;
      this.borrowed++;
      const view = larger.subarray(0, size);
      this.borrowedFrom.set(view, larger);
      return view;
    }
    this.created++;
    return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  }

  /** Takes back an array nobody uses any more (its tensor's storage reached zero references). */
  release(array: TypedArray): void {
    const whole = this.borrowedFrom.get(array) ?? array;
    const size = whole.length;
    if (size === 0 || this.pooledBytes + whole.byteLength > MAX_POOLED_BYTES) return;
    // Only whole arrays: a subarray view would alias memory someone else owns.
    if (whole.byteOffset !== 0 || whole.buffer.byteLength !== whole.byteLength) return;
    const map = (whole instanceof Float64Array ? this.free64 : this.free32) as Map<number, TypedArray[]>;
    let bucket = map.get(size);
    if (!bucket) { bucket = []; map.set(size, bucket); }
    if (bucket.length >= MAX_PER_SIZE) return;
    bucket.push(whole);
    this.pooledBytes += whole.byteLength;
  }

  /** Drops every free array (to the garbage collector); arrays in use come back as usual. */
  clear(): void {
    this.free32.clear();
    this.free64.clear();
    this.pooledBytes = 0;
  }

  stats(): { pooledBytes: number; reused: number; borrowed: number; created: number } {
    return { pooledBytes: this.pooledBytes, reused: this.reused, borrowed: this.borrowed, created: this.created };
  }

  /** Pops the smallest free array longer than size and at most MAX_BORROW_RATIO times it (a scan of the few dozen sizes a model uses). */
  private smallestFreeAbove(map: Map<number, TypedArray[]>, size: number): TypedArray | undefined {
    let best = 0;
    for (const [length, bucket] of map) {
      if (bucket.length > 0 && length > size && length <= size * MAX_BORROW_RATIO && (best === 0 || length < best)) best = length;
    }
    return best === 0 ? undefined : map.get(best)!.pop();
  }
}

/** One pool for both CPU backends: they share the storage type, so arrays move freely between them. */
export const hostPool = new HostBufferPool();
