// The mean loss over the samples of an epoch: Σ_b loss_b·n_b / Σ_b n_b (Keras weights each
// batch by its size, so a partial last batch counts for what it holds). On CPU backends each
// step's loss is read at once; on webgpu the weighted sum stays on the device and is read only
// when asked (every `lossReadEvery` steps and at the end of the epoch).
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';

export class LossMeter {
  private sum = 0;
  private count = 0;
  private deviceSum: Tensor | null = null;
  /** The mean at the last read (NaN before the first). */
  last = NaN;

  constructor(readonly syncRead: boolean) {}

  /** Adds a batch's mean loss (a one-element tensor this meter now owns) over n samples. */
  add(loss: Tensor, n: number): void {
    this.count += n;
    if (this.syncRead) {
      this.sum += loss.item() * n;
      loss.dispose();
      this.last = this.sum / this.count;
      return;
    }
    // kept: add() may run inside a caller's tidy scope, and the sum must outlive it
    const weighted = noGrad(() => loss.mul(n)).keep();
    loss.dispose();
    if (this.deviceSum === null) {
      this.deviceSum = weighted;
    } else {
      const next = noGrad(() => (this.deviceSum as Tensor).add(weighted)).keep();
      this.deviceSum.dispose();
      weighted.dispose();
      this.deviceSum = next;
    }
  }

  /** The mean so far (reads the device on webgpu). */
  async read(): Promise<number> {
    if (this.deviceSum !== null) this.last = (await this.deviceSum.itemAsync()) / this.count;
    else if (this.count === 0) this.last = NaN;
    return this.last;
  }

  get samples(): number {
    return this.count;
  }

  dispose(): void {
    this.deviceSum?.dispose();
    this.deviceSum = null;
  }
}

/** Whether a backend's memory can be read synchronously (js, native; not webgpu). */
export function canReadSync(t: Tensor): boolean {
  return t.peek('canReadSync') !== null;
}
