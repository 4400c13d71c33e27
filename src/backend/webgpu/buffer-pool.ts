/// <reference types="@webgpu/types" />
// A size-bucketed pool of GPUBuffers. JavaScript's GC frees GPU memory late (a GPUBuffer
// is a small object to V8, however many megabytes it holds), so buffers are reused
// explicitly: free() puts a buffer back in its bucket, alloc() takes one out.
//
// Buckets are "power-of-two-ish": 2^k and 1.5·2^k bytes, so a request wastes at most a
// third of its bucket, and shapes that vary a little between steps still reuse buffers.
import type { DeviceContext } from './device-core.js';

export interface PoolStats {
  /** Buffers handed out and not yet freed. */
  liveBuffers: number;
  /** Bytes of the live buffers (bucket sizes). */
  bytesHeld: number;
  /** Bytes sitting free in the pool, ready for reuse. */
  bytesPooled: number;
  /** createBuffer calls made so far (reuse does not count). */
  allocations: number;
}

const MIN_BUCKET = 64;

/** The bucket a request of `bytes` falls into: the smallest 2^k or 1.5·2^k ≥ bytes. */
export function bucketSize(bytes: number): number {
  if (bytes <= MIN_BUCKET) return MIN_BUCKET;
  const pow = 2 ** Math.ceil(Math.log2(bytes));
  const threeQuarters = (pow / 4) * 3;   // 1.5 · 2^(k-1)
  return threeQuarters >= bytes ? threeQuarters : pow;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private live = 0;
  private held = 0;
  private pooled = 0;
  private allocations = 0;

  /**
   * @param usage GPUBufferUsage flags every buffer of this pool has.
   * @param maxPooledBytes free buffers beyond this are destroyed instead of kept.
   */
  constructor(private readonly ctx: DeviceContext, private readonly usage: number, private readonly label: string,
    private readonly maxPooledBytes = 512 * 1024 * 1024,
    /** Destroys a buffer the pool will not keep; the backend defers it past the next submit. */
    private readonly retire: (buffer: GPUBuffer) => void = (b) => b.destroy()) {}

  acquire(bytes: number): GPUBuffer {
    const size = bucketSize(bytes);
    const bucket = this.free.get(size);
    let buffer = bucket?.pop();
    if (buffer) {
      this.pooled -= size;
    } else {
      buffer = this.create(size);
    }
    this.live++;
    this.held += size;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    const size = buffer.size;
    this.live--;
    this.held -= size;
    if (this.pooled + size > this.maxPooledBytes) { this.retire(buffer); return; }
    let bucket = this.free.get(size);
    if (!bucket) { bucket = []; this.free.set(size, bucket); }
    bucket.push(buffer);
    this.pooled += size;
  }

  /** Destroys every pooled (free) buffer. Live buffers are untouched. */
  trim(): void {
    for (const bucket of this.free.values()) for (const b of bucket) this.retire(b);
    this.free.clear();
    this.pooled = 0;
  }

  /** Bytes of the buffers handed out and not released. */
  get heldBytes(): number {
    return this.held;
  }

  stats(): PoolStats {
    return { liveBuffers: this.live, bytesHeld: this.held, bytesPooled: this.pooled, allocations: this.allocations };
  }

  private create(size: number): GPUBuffer {
    const { device } = this.ctx;
    // Out-of-memory is reported asynchronously; the scope routes it to pendingErrors, which
    // the next read()/sync() throws, instead of an uncaptured error nobody sees.
    device.pushErrorScope('out-of-memory');
    const buffer = device.createBuffer({ size, usage: this.usage, label: `${this.label}[${size}]` });
    void device.popErrorScope().then((err) => {
      if (err) this.ctx.pendingErrors.push(`out of memory allocating a ${size}-byte ${this.label} buffer: ${err.message}`);
    });
    this.allocations++;
    return buffer;
  }
}
