// A Dataset is a table of rows (examples), each a flat float32 vector of prod(featureShape)
// values, read by index into a caller's buffer. That one method serves arrays in memory and
// files on disk alike, so a DataLoader never needs to know where the rows live.

export interface Dataset {
  /** Number of rows. */
  readonly length: number;
  /** Shape of one row, e.g. [28, 28] or [784]. */
  readonly featureShape: number[];
  /** Copy rows `indices` into `out` (indices.length × prod(featureShape), row-major). */
  readRows(indices: ArrayLike<number>, out: Float32Array): void;
  /**
   * readRows begun in the background (ByteDataset on native: the next batch read while a step
   * runs); the function returned finishes it. Until then `out` must not be read nor `indices`
   * changed. Optional: fit calls readRows where a data set lacks it.
   */
  startReadRows?(indices: Uint32Array, out: Float32Array): () => void;
  /** Copy the integer class labels of rows `indices` into `out`, when the data set has labels. */
  readLabels?(indices: ArrayLike<number>, out: Int32Array): void;
}

export function featureSize(featureShape: readonly number[]): number {
  return featureShape.reduce((a, b) => a * b, 1);
}

/** Check a readRows call: every index in range, `out` large enough. */
export function checkReadRows(op: string, length: number, rowSize: number, indices: ArrayLike<number>, out: Float32Array): void {
  if (out.length < indices.length * rowSize) {
    throw new Error(`${op}.readRows: out holds ${out.length} values, need ${indices.length} rows × ${rowSize} = ${indices.length * rowSize}`);
  }
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    if (!Number.isInteger(r) || r < 0 || r >= length) {
      throw new Error(`${op}.readRows: index ${r} at position ${i} is out of range [0, ${length})`);
    }
  }
}

/**
 * The readLabels method of a data set whose integer labels are held in memory: checks there is
 * one label per row and returns a reader that checks every index. Undefined without labels.
 */
export function labelReader(op: string, labels: ArrayLike<number> | undefined, length: number): Dataset['readLabels'] {
  if (labels === undefined) return undefined;
  if (labels.length !== length) throw new Error(`${op}: ${labels.length} labels for ${length} rows`);
  const data = Int32Array.from(labels);
  return (indices, out) => {
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i];
      if (!Number.isInteger(r) || r < 0 || r >= length) throw new Error(`${op}.readLabels: index ${r} out of range [0, ${length})`);
      out[i] = data[r];
    }
  };
}

/** Rows held in one Float32Array (n × prod(featureShape)), with optional integer labels. */
export class InMemoryDataset implements Dataset {
  readonly length: number;
  readonly featureShape: number[];
  private readonly rowSize: number;

  constructor(
    readonly data: Float32Array,
    featureShape: number[],
    labels?: ArrayLike<number>,
  ) {
    this.featureShape = [...featureShape];
    this.rowSize = featureSize(featureShape);
    if (this.rowSize <= 0 || data.length % this.rowSize !== 0) {
      throw new Error(`InMemoryDataset: ${data.length} values do not split into rows of shape [${featureShape.join(', ')}] (${this.rowSize} values each)`);
    }
    this.length = data.length / this.rowSize;
    this.readLabels = labelReader('InMemoryDataset', labels, this.length);
  }

  readRows(indices: ArrayLike<number>, out: Float32Array): void {
    checkReadRows('InMemoryDataset', this.length, this.rowSize, indices, out);
    const s = this.rowSize;
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i];
      out.set(this.data.subarray(r * s, (r + 1) * s), i * s);
    }
  }

  readLabels?: (indices: ArrayLike<number>, out: Int32Array) => void;
}
