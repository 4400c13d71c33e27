// Where fit, evaluate and predict get their batches from. A Tensor [N, …] or a Dataset becomes
// a table of host rows; each step copies the rows of its (possibly shuffled) indices into a
// reused Float32Array and uploads it with one `fromTyped`. Shuffled indices are arbitrary, so a
// gather on the host is the simplest fast path on CPU backends (the data is read in place) and
// costs one upload per step on webgpu (the data is read back once, when fit starts).
import { Tensor } from '../tensor.js';
import type { Backend } from '../backend/backend.js';
import { fromStorage, fromTyped } from '../ops/creation.js';
import { InMemoryDataset, featureSize, type Dataset } from '../data/dataset.js';
import { shapeStr } from '../shape.js';

export function isDataset(x: unknown): x is Dataset {
  return typeof x === 'object' && x !== null && !(x instanceof Tensor)
    && typeof (x as Dataset).readRows === 'function' && typeof (x as Dataset).length === 'number'
    && Array.isArray((x as Dataset).featureShape);
}

/** A Tensor [N, …] as host rows (no copy on CPU backends), or a Dataset as it is. */
export async function toDataset(op: string, what: string, x: Tensor | Dataset): Promise<Dataset> {
  if (isDataset(x)) return x;
  if (!(x instanceof Tensor)) throw new Error(`${op}: ${what} must be a Tensor [N, …] or a Dataset, got ${x === null ? 'null' : typeof x}`);
  if (x.rank < 1 || x.shape[0] < 1) throw new Error(`${op}: ${what} must have a leading batch axis with at least one row, got shape ${shapeStr(x.shape)}`);
  let host = x.peek(op) ?? await x.data();
  if (host.length !== x.size) host = host.subarray(0, x.size);
  const rows = host instanceof Float32Array ? host : Float32Array.from(host);
  return new InMemoryDataset(rows, x.shape.slice(1));
}

/**
 * Builds batches of rows and makes tensors of them. Given a `hostVisible` backend (js, native),
 * each batch is gathered straight into an array from the backend's pool and that array becomes
 * the tensor's storage (`fromStorage`): no upload copy and no fresh 800 KB array per W1
 * step (measured on native: the fresh arrays of `upload` left ~100 MB of garbage between
 * collections, peak RSS 232 → ~150 MiB, and the copy cost ~0.03 ms a step). Otherwise (webgpu)
 * rows go into one reused buffer and are uploaded.
 */
export class BatchBuilder {
  readonly rowSize: number;
  private readonly buffer: Float32Array;
  private readonly direct: Backend | null;
  /** The arrays rows() took from the backend's pool, not yet wrapped into their tensor. */
  private readonly lent = new WeakSet<Float32Array>();

  constructor(readonly dataset: Dataset, readonly batchSize: number, backend?: Backend) {
    this.rowSize = featureSize(dataset.featureShape);
    this.direct = backend?.hostVisible ? backend : null;
    this.buffer = new Float32Array(this.direct ? 0 : batchSize * this.rowSize);
  }

  /**
   * The rows of `indices`: in a view of the reused buffer (valid until the next call), or in a
   * fresh array from the backend's pool that `upload` turns into a tensor without a copy.
   */
  rows(indices: Uint32Array): Float32Array {
    const size = indices.length * this.rowSize;
    if (this.direct) {
      const storage = this.direct.alloc('float32', size) as Float32Array;
      this.dataset.readRows(indices, storage);
      this.lent.add(storage);
      return storage;
    }
    const view = this.buffer.subarray(0, size);
    this.dataset.readRows(indices, view);
    return view;
  }

  /**
   * Whether startRows reads in the background: the data set can (Dataset.startReadRows) and the
   * rows go into arrays lent from the backend's pool, not the one reused buffer.
   */
  get canStartRows(): boolean {
    return this.direct !== null && typeof this.dataset.startReadRows === 'function';
  }

  /**
   * rows(indices) begun in the background (where canStartRows): `finish` must be called before the
   * rows are read, and `discard` takes back rows that will not be used.
   */
  startRows(indices: Uint32Array): { rows: Float32Array; finish: () => void } {
    if (!this.direct || !this.dataset.startReadRows) throw new Error('BatchBuilder.startRows: this data set is read at once (canStartRows is false)');
    const rows = this.direct.alloc('float32', indices.length * this.rowSize) as Float32Array;
    this.lent.add(rows);
    return { rows, finish: this.dataset.startReadRows(indices, rows) };
  }

  /** Gives back rows that rows() or startRows() lent and nobody will read (a run stopped before its next batch). */
  discard(rows: Float32Array): void {
    if (this.lent.delete(rows)) this.direct?.free(rows);
  }

  /** A buffer of n rows for callers that fill it (clean targets of a denoising run). */
  view(n: number): Float32Array {
    if (this.direct) return new Float32Array(n * this.rowSize);
    return this.buffer.subarray(0, n * this.rowSize);
  }

  /** Whether rows() lent `rows` from the backend's pool (and upload will adopt them). */
  owns(rows: Float32Array): boolean {
    return this.lent.has(rows);
  }

  /** rows [n, ...featureShape] as a tensor: adopted if rows() lent them from `backend`'s pool, else copied in. */
  upload(rows: Float32Array, n: number, backend: Backend): Tensor {
    const shape = [n, ...this.dataset.featureShape];
    if (this.lent.delete(rows) && backend === this.direct && rows.length === n * this.rowSize) {
      return fromStorage(rows, shape, 'float32', backend);
    }
    return fromTyped(rows, shape, { backend });
  }
}

/** Rows [start, end) of a data set, read in place (validationSplit's two parts). */
export function rowRange(d: Dataset, start: number, end: number): Dataset {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= d.length)) {
    throw new Error(`rowRange: [${start}, ${end}) is not a non-empty range of the ${d.length} rows`);
  }
  const shifted = (indices: ArrayLike<number>): Uint32Array => {
    const out = new Uint32Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i];
      if (!Number.isInteger(r) || r < 0 || r >= end - start) throw new Error(`rowRange.readRows: index ${r} at position ${i} is out of range [0, ${end - start})`);
      out[i] = r + start;
    }
    return out;
  };
  const readLabels = d.readLabels?.bind(d), startReadRows = d.startReadRows?.bind(d);
  return {
    length: end - start,
    featureShape: d.featureShape,
    readRows: (indices, out) => d.readRows(shifted(indices), out),
    ...(readLabels ? { readLabels: (indices: ArrayLike<number>, out: Int32Array) => readLabels(shifted(indices), out) } : {}),
    ...(startReadRows ? { startReadRows: (indices: Uint32Array, out: Float32Array) => startReadRows(shifted(indices), out) } : {}),
  };
}

/** Checks that x and y have the same number of rows. */
export function checkRows(op: string, x: Dataset, y: Dataset | null): void {
  if (x.length < 1) throw new Error(`${op}: the input has no rows`);
  if (y !== null && y.length !== x.length) {
    throw new Error(`${op}: x has ${x.length} rows but y has ${y.length}; they must match`);
  }
}

export function identityOrder(n: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}
