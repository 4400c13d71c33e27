// Where fit, evaluate and predict get their batches from. A Tensor [N, …] or a Dataset becomes
// a table of host rows; each step copies the rows of its (possibly shuffled) indices into a
// reused Float32Array and uploads it with one `fromTyped`. Shuffled indices are arbitrary, so a
// gather on the host is the simplest fast path on CPU backends (the data is read in place) and
// costs one upload per step on webgpu (the data is read back once, when fit starts).
import { Tensor } from '../tensor.js';
import type { Backend } from '../backend/backend.js';
import { fromTyped } from '../ops/creation.js';
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
  let host = x.backend.readSync(x.storage(op), x.dtype, x.size) ?? await x.data();
  if (host.length !== x.size) host = host.subarray(0, x.size);
  const rows = host instanceof Float32Array ? host : Float32Array.from(host);
  return new InMemoryDataset(rows, x.shape.slice(1));
}

/** Builds batches of rows into one reused buffer and uploads them. */
export class BatchBuilder {
  readonly rowSize: number;
  private readonly buffer: Float32Array;

  constructor(readonly dataset: Dataset, readonly batchSize: number) {
    this.rowSize = featureSize(dataset.featureShape);
    this.buffer = new Float32Array(batchSize * this.rowSize);
  }

  /** The rows of `indices`, in a view of the reused buffer (valid until the next call). */
  rows(indices: Uint32Array): Float32Array {
    const view = this.buffer.subarray(0, indices.length * this.rowSize);
    this.dataset.readRows(indices, view);
    return view;
  }

  /** The buffer itself, for callers that fill it (clean targets of a denoising run). */
  view(n: number): Float32Array {
    return this.buffer.subarray(0, n * this.rowSize);
  }

  upload(rows: Float32Array, n: number, backend: Backend): Tensor {
    return fromTyped(rows, [n, ...this.dataset.featureShape], { backend });
  }
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
