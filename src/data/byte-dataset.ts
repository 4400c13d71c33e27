// A data set kept as bytes (images as uint8: Fashion-MNIST's 60,000 training images are 47 MB
// this way, 188 MB as float32), scaled to float32 as a batch is gathered: out = byte / divisor.
//
// The gather is the current backend's gatherRows kernel (the `gatherRows` op): on native,
// vectorised and split over its thread pool, a W1 step's batch (256 rows × 784) takes ~0.03 ms
// against ~0.2 ms for js's table lookup, which was a fifth of a one-thread training step. Both
// give the same bits, so divisor 255 gives exactly loadFashionMnist's `pixel / 255`.
import { gatherRows } from '../ops/creation.js';
// The backends the gather runs on, registered also where src/index.ts is not loaded.
import '../backend/select.js';
import { checkReadRows, featureSize, labelReader, type Dataset } from './dataset.js';

export interface ByteDatasetOptions {
  /** Every byte is divided by this (default 255: pixels to [0, 1]). */
  divisor?: number;
  /** Integer class label per row. */
  labels?: ArrayLike<number>;
}

/** Rows of uint8 values held in one Uint8Array (n × prod(featureShape)), read as byte / divisor. */
export class ByteDataset implements Dataset {
  readonly length: number;
  readonly featureShape: number[];
  readonly divisor: number;
  private readonly rowSize: number;

  constructor(readonly bytes: Uint8Array, featureShape: number[], options: ByteDatasetOptions = {}) {
    this.featureShape = [...featureShape];
    this.rowSize = featureSize(featureShape);
    if (!(bytes instanceof Uint8Array)) throw new Error('ByteDataset: bytes must be a Uint8Array');
    if (!Number.isInteger(this.rowSize) || this.rowSize <= 0 || bytes.length % this.rowSize !== 0) {
      throw new Error(`ByteDataset: ${bytes.length} bytes do not split into rows of shape [${featureShape.join(', ')}] (${this.rowSize} values each)`);
    }
    this.divisor = options.divisor ?? 255;
    if (!Number.isFinite(this.divisor) || this.divisor === 0) throw new Error(`ByteDataset: divisor must be a finite non-zero number, got ${this.divisor}`);
    this.length = bytes.length / this.rowSize;
    this.readLabels = labelReader('ByteDataset', options.labels, this.length);
  }

  readRows(indices: ArrayLike<number>, out: Float32Array): void {
    checkReadRows('ByteDataset', this.length, this.rowSize, indices, out);
    gatherRows(this.bytes, this.rowSize, indices instanceof Uint32Array ? indices : Uint32Array.from(indices), this.divisor, out);
  }

  startReadRows(indices: Uint32Array, out: Float32Array): () => void {
    checkReadRows('ByteDataset', this.length, this.rowSize, indices, out);
    return gatherRows(this.bytes, this.rowSize, indices, this.divisor, out, undefined, true);
  }

  readLabels?: (indices: ArrayLike<number>, out: Int32Array) => void;
}
