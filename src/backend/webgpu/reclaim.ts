// Reclaiming GPU buffers of tensors nobody disposed. A tensor dropped without dispose() or tidy
// (a plain PyTorch-style loop: zeroGrad, forward, backward, step) is freed by the
// FinalizationRegistry in src/memory.ts once the garbage collector finds it unreachable. But V8
// sees only the small Tensor objects, not the GPU (on llvmpipe: host) memory behind them, so it
// may not collect for hundreds of steps while buffers pile up (208 MB → 1.4 GB RSS in 500 steps).
// This gives V8 the missing signal: when the bytes of live buffers grow by a margin past the
// lowest level seen since the last collection, it runs a full collection; the finalizers then
// return the unreachable tensors' buffers to the pool (in a later task: at the loop's next await).

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collector: (() => void) | null | undefined;

/** V8's gc(): the global one under --expose-gc, else one exposed for a fresh context; null if neither works. */
function garbageCollector(): (() => void) | null {
  if (collector !== undefined) return collector;
  const global = (globalThis as { gc?: () => void }).gc;
  if (typeof global === 'function') return (collector = global);
  try {
    setFlagsFromString('--expose-gc');
    collector = runInNewContext('gc') as () => void;
  } catch {
    collector = null;
  }
  return collector;
}

export class PressureReclaimer {
  /** Full collections run so far (for tests and stats). */
  collections = 0;
  private watermark: number;

  /** @param minMarginBytes growth of live bytes that triggers a collection (at least; a quarter of what is live when more). */
  constructor(public minMarginBytes = 64 * 1024 * 1024) {
    this.watermark = minMarginBytes;
  }

  private margin(held: number): number {
    return Math.max(this.minMarginBytes, held / 4);
  }

  /** Called before each allocation with the bytes of live buffers. */
  check(heldBytes: number): void {
    // Follow the live level down (finalizers freed buffers), so the next trigger is one margin above it.
    this.watermark = Math.min(this.watermark, heldBytes + this.margin(heldBytes));
    if (heldBytes <= this.watermark) return;
    this.watermark = heldBytes + this.margin(heldBytes);
    const gc = garbageCollector();
    if (gc === null) return;
    gc();
    this.collections++;
  }
}
