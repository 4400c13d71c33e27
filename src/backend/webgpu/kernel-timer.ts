/// <reference types="@webgpu/types" />
// GPU time per kernel call, from timestamp queries (the device's 'timestamp-query' feature).
//
// WebGPU writes timestamps only at the beginning and end of a pass (timestampWrites), so while
// a call is timed the dispatcher gives each of its dispatches a compute pass of its own, with
// the two timestamps at query slots 2i and 2i+1. When the batch is submitted its timestamps are
// resolved (nanoseconds, u64) and copied into a buffer of their own; collect() maps those and
// sums end − begin per tag. Buffer copies (copyBufferToBuffer) and uploads (writeBuffer) are not
// passes, so no timestamp covers them: a call that made only those has no GPU time.
import { BufferUsage, MAP_MODE_READ } from './device-core.js';

/** 'query-resolve' of GPUBufferUsage (not a global in Node). */
const QUERY_RESOLVE = 0x200;
/** WebGPU's limit on the queries of one query set. */
const MAX_QUERIES = 4096;

/** What the profiler sees (src/inspect/step-trace.ts). */
export interface GpuKernelTimer {
  /** The dispatches made from here until end() are timed, each in its own pass, and summed under `tag`. */
  begin(tag: number): void;
  end(): void;
  /** Waits for the timed work; its GPU milliseconds and compute-pass count per tag. Forgets them. */
  collect(): Promise<Map<number, { ms: number; passes: number }>>;
}

export class KernelTimer implements GpuKernelTimer {
  private tag: number | null = null;
  private readonly querySet: GPUQuerySet;
  /** The resolved timestamps of a batch, copied from here into a mappable buffer. */
  private readonly resolved: GPUBuffer;
  /** The tag of each timed pass of the open batch, in query order. */
  private batchTags: number[] = [];
  /** Submitted batches whose timestamps have not been read. */
  private readonly submitted: { readback: GPUBuffer; tags: number[] }[] = [];
  /** Timed passes one batch can hold: the dispatcher submits when it is full. */
  readonly capacity: number;

  constructor(private readonly device: GPUDevice, dispatchesPerBatch: number) {
    this.capacity = Math.min(dispatchesPerBatch, MAX_QUERIES / 2);
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * this.capacity, label: 'kernel timestamps' });
    this.resolved = device.createBuffer({ size: 16 * this.capacity, usage: QUERY_RESOLVE | BufferUsage.COPY_SRC, label: 'resolved timestamps' });
  }

  begin(tag: number): void { this.tag = tag; }
  end(): void { this.tag = null; }

  get full(): boolean { return this.batchTags.length === this.capacity; }

  /** The timestamp writes of the next dispatch's own pass, or null when no call is being timed. */
  nextPass(): GPUComputePassTimestampWrites | null {
    if (this.tag === null) return null;
    const i = this.batchTags.length;
    this.batchTags.push(this.tag);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Called with the batch's encoder just before it is finished: resolves its timestamps into a readable copy. */
  resolve(encoder: GPUCommandEncoder): void {
    const n = this.batchTags.length;
    if (n === 0) return;
    // The next batch reuses the query slots and `resolved`: the queue runs this copy first.
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, this.resolved, 0);
    const readback = this.device.createBuffer({ size: 16 * n, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST, label: 'timestamps readback' });
    encoder.copyBufferToBuffer(this.resolved, 0, readback, 0, 16 * n);
    this.submitted.push({ readback, tags: this.batchTags });
    this.batchTags = [];
  }

  /** The caller submits the open batch first (Dispatcher.sync). */
  async collect(): Promise<Map<number, { ms: number; passes: number }>> {
    const out = new Map<number, { ms: number; passes: number }>();
    for (const { readback, tags } of this.submitted.splice(0)) {
      await readback.mapAsync(MAP_MODE_READ);
      const stamps = new BigUint64Array(readback.getMappedRange());
      tags.forEach((tag, i) => {
        // Nanoseconds; a device may report end < begin for a pass that did almost nothing.
        const ns = stamps[2 * i + 1] > stamps[2 * i] ? Number(stamps[2 * i + 1] - stamps[2 * i]) : 0;
        const t = out.get(tag) ?? { ms: 0, passes: 0 };
        out.set(tag, { ms: t.ms + ns / 1e6, passes: t.passes + 1 });
      });
      readback.unmap();
      readback.destroy();
    }
    return out;
  }

  destroy(): void {
    for (const { readback } of this.submitted.splice(0)) readback.destroy();
    this.querySet.destroy();
    this.resolved.destroy();
  }
}
