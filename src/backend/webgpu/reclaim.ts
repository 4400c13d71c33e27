// Reclaiming GPU buffers of tensors nobody disposed. A tensor dropped without dispose() or tidy
// (a plain PyTorch-style loop: zeroGrad, forward, backward, step) is freed by the
// FinalizationRegistry in src/memory.ts once the garbage collector finds it unreachable. But V8
// sees only the small Tensor objects, not the GPU (on llvmpipe: host) memory behind them, so it
// may not collect for hundreds of steps while buffers pile up (208 MB → 1.4 GB RSS in 500 steps).
// This gives V8 the missing signal: when the bytes of live buffers grow by a margin past the
// lowest level seen since the last collection, it runs a full collection; the finalizers then
// return the unreachable tensors' buffers to the pool (in a later task: at the loop's next await).

// How to collect is the host's (host-node.ts: V8's gc(); a browser page has none, and then
// this never collects).

export class PressureReclaimer {
  /** Full collections run so far (for tests and stats). */
  collections = 0;
  private watermark: number;

  /** @param minMarginBytes growth of live bytes that triggers a collection (at least; a quarter of what is live when more). */
  constructor(private readonly collect: (() => boolean) | null, public minMarginBytes = 64 * 1024 * 1024) {
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
    if (this.collect?.()) this.collections++;
  }
}
