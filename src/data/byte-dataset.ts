// A data set kept as bytes (images as uint8: Fashion-MNIST's 60,000 training images are 47 MB
// this way, 188 MB as float32), scaled to float32 as a batch is gathered: out = byte / divisor.
//
// The gather runs in the native addon when it is built (vectorised, split over the native
// thread pool): on a W1 step (256 rows × 784) it takes ~0.03 ms against ~0.2 ms for the best
// JavaScript loop below, which was a fifth of a one-thread training step. Native divides in
// float32 (correctly rounded); JavaScript divides in float64 and rounds to float32, which gives
// the same bits for integer divisors up to 2^24 (a quotient b/d is never close enough to a
// float32 rounding midpoint for the double rounding to matter), so divisor 255 gives exactly
// loadFashionMnist's `pixel / 255` on both paths.
import { nativeAddon } from '../backend/native/index.js';
import type { NativeAddon } from '../backend/native/addon.js';
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
    gatherByteRows(this.bytes, this.rowSize, indices, this.divisor, out);
  }

  readLabels?: (indices: ArrayLike<number>, out: Int32Array) => void;
}

/** The addon's gather, looked up once: undefined until then, null without the addon. */
let nativeGather: NativeAddon['gatherBytes'] | null | undefined;

/**
 * out[i·rowSize + j] = bytes[rows[i]·rowSize + j] / divisor (float32), natively when the addon
 * is built. Rows must be in range (ByteDataset.readRows checks them first).
 */
export function gatherByteRows(bytes: Uint8Array, rowSize: number, rows: ArrayLike<number>, divisor: number, out: Float32Array): void {
  if (nativeGather === undefined) {
    const addon = nativeAddon();
    nativeGather = addon ? addon.gatherBytes.bind(addon) : null;
  }
  if (nativeGather) nativeGather(bytes, rowSize, rows instanceof Uint32Array ? rows : Uint32Array.from(rows), divisor, out);
  else gatherByteRowsJs(bytes, rowSize, rows, divisor, out);
}

/** Each byte's quotient, rounded to float32 once: a lookup is cheaper than a division per value. */
const tables = new Map<number, Float32Array>();
function quotients(divisor: number): Float32Array {
  let t = tables.get(divisor);
  if (!t) {
    t = Float32Array.from({ length: 256 }, (_, b) => b / divisor);
    tables.set(divisor, t);
  }
  return t;
}

/** The JavaScript gather (no addon): one table lookup per byte. */
export function gatherByteRowsJs(bytes: Uint8Array, rowSize: number, rows: ArrayLike<number>, divisor: number, out: Float32Array): void {
  const lut = quotients(divisor);
  for (let i = 0; i < rows.length; i++) {
    const src = rows[i] * rowSize;
    const o = i * rowSize;
    for (let j = 0; j < rowSize; j++) out[o + j] = lut[bytes[src + j]];
  }
}
