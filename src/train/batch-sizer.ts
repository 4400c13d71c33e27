// Evaluation batches sized by bytes, not rows. Under noGrad every tensor a batch makes (each
// layer's output) lives until the batch's tidy ends, so a batch holds rows × the model's bytes
// per row at once: ~96 KB per image for the conv autoencoder, 96 MB in a batch of 1,000
// (bench/RESULTS.md, "Peak memory"). evaluate(), predict() and the run metrics of src/eval take
// at most their batchSize rows and about EVAL_BATCH_BYTES: the bytes per row are measured on a
// first batch of PROBE_ROWS rows (memory.ts's bytesMade), and again on every batch.
import { bytesMade } from '../memory.js';

// 20 MiB: W2's batches (≈ 96 KB a row since its convolutions, pools and ReLUs run as one op) then take
// 218 rows, between half and all of its 256-row training batch, so they run in the step's pooled arrays
// (host-pool.ts lends an array of up to twice a request, never a smaller one). Past 256 rows (305 at 32 MiB,
// 262 at 24) they took a second set of arrays beside the step's: W2's peak RSS 181 → 198–230 MiB
// (bench/RESULTS.md, "The first convolution and its pool in one pass").
export const EVAL_BATCH_BYTES = 20 * 2 ** 20;
const PROBE_ROWS = 16;

export class BatchSizer {
  /** Rows of the next batch. */
  rows: number;

  constructor(private readonly maxRows: number) {
    this.rows = Math.min(maxRows, PROBE_ROWS);
  }

  /** The [start, end) rows of each batch of n rows, each batch as long as `rows` is when it begins (run sizes the next). */
  *ranges(n: number): IterableIterator<[number, number]> {
    for (let start = 0; start < n;) {
      const end = Math.min(n, start + this.rows);
      yield [start, end];
      start = end;
    }
  }

  /** Runs one batch of n rows (synchronous: the tensors it makes are counted) and sizes the next from the bytes it made. */
  run<T>(n: number, batch: () => T): T {
    const before = bytesMade();
    const result = batch();
    const perRow = Math.max(1, (bytesMade() - before) / n);
    this.rows = Math.max(1, Math.min(this.maxRows, Math.floor(EVAL_BATCH_BYTES / perRow)));
    return result;
  }
}
