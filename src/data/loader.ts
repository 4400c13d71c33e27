// DataLoader: walks a Dataset in mini-batches, optionally shuffled and corrupted with noise.
//
// Epochs. `for (const batch of loader)` runs the rest of the current epoch (a whole one when
// none is in progress). At an epoch's start, with `shuffle`, the order is a Fisher–Yates
// permutation drawn from `generator`; without it, rows go 0..n-1. Every row appears exactly
// once per epoch; the last batch is partial unless `dropLast`.
//
// Resume. `state()` returns a small JSON-able record (JSON.stringify turns the generator's NaN
// into null; setState accepts either): the epoch number, the next batch, the
// generator's state at the start of the epoch (to redraw the same permutation) and its state
// now (to continue the noise stream). `setState(s)` on a loader built with the same dataset
// and options puts it back exactly: the batches that follow are the ones the saved loader
// would have produced. Leaving a `for` loop early (break) keeps the epoch in progress, so the
// next loop continues it; `reset()` abandons it.

import { Generator, defaultGenerator } from '../random.js';
import { featureSize, type Dataset } from './dataset.js';
import { applyNoise, validateNoise, type NoiseSpec } from './noise.js';

export interface DataLoaderOptions {
  batchSize: number;
  shuffle?: boolean;
  /** Source of the shuffle order and of the noise; default the global `defaultGenerator`. */
  generator?: Generator;
  /** Skip the last batch when it has fewer than batchSize rows. */
  dropLast?: boolean;
  /** Corrupt x (the clean rows become y unless `target` is given). */
  noise?: NoiseSpec;
  /** Rows of this dataset (same indices) become y. */
  target?: Dataset;
}

export interface Batch {
  /** size × prod(featureShape): the input (noisy when noise is set). */
  x: Float32Array;
  /** The target: rows of `target`, or the clean x when noise is set, else null. */
  y: Float32Array | null;
  /** Integer labels of the rows, when the dataset has labels, else null. */
  labels: Int32Array | null;
  size: number;
  /** Row indices in the dataset. */
  indices: Uint32Array;
}

export interface DataLoaderState {
  epoch: number;
  nextBatch: number;
  /** Generator state before this epoch's permutation was drawn; null when no epoch is in progress. */
  epochStartGenerator: number[] | null;
  generator: number[];
}

export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator;
  readonly noise: NoiseSpec | undefined;
  readonly target: Dataset | undefined;
  private readonly rowSize: number;
  private readonly targetRowSize: number;

  private epochNumber = 0;
  private order: Uint32Array | null = null;
  private nextBatch = 0;
  private epochStartGenerator: number[] | null = null;

  constructor(readonly dataset: Dataset, options: DataLoaderOptions) {
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    this.batchSize = batchSize;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator ?? defaultGenerator;
    this.noise = options.noise;
    if (this.noise) validateNoise(this.noise);
    this.target = options.target;
    if (this.target && this.target.length !== dataset.length) {
      throw new Error(`DataLoader: target has ${this.target.length} rows but the dataset has ${dataset.length}`);
    }
    this.rowSize = featureSize(dataset.featureShape);
    this.targetRowSize = this.target ? featureSize(this.target.featureShape) : 0;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Completed epochs. */
  get epoch(): number {
    return this.epochNumber;
  }

  private startEpoch(): void {
    this.epochStartGenerator = this.generator.getState();
    this.order = this.shuffle ? this.generator.permutation(this.dataset.length) : identity(this.dataset.length);
    this.nextBatch = 0;
  }

  /** Read the batch of rows `indices` (the loader's own copy of them). */
  private makeBatch(indices: Uint32Array): Batch {
    const size = indices.length;
    const x = new Float32Array(size * this.rowSize);
    this.dataset.readRows(indices, x);
    let y: Float32Array | null = null;
    if (this.target) {
      y = new Float32Array(size * this.targetRowSize);
      this.target.readRows(indices, y);
    }
    if (this.noise) {
      if (!y) y = x.slice();
      applyNoise(x, this.noise, this.generator);
    }
    let labels: Int32Array | null = null;
    if (this.dataset.readLabels) {
      labels = new Int32Array(size);
      this.dataset.readLabels(indices, labels);
    }
    return { x, y, labels, size, indices };
  }

  *[Symbol.iterator](): Iterator<Batch> {
    for (const { indices } of this.indexBatches()) {
      let batch: Batch;
      try {
        batch = this.makeBatch(indices.slice());
      } catch (e) {
        this.nextBatch--;  // not taken: the next loop reads it again
        throw e;
      }
      yield batch;
    }
  }

  /**
   * The rest of the current epoch (a whole one when none is in progress) as row indices: each
   * batch's, and the next one's (null after the last), the state moved on as each is taken, as
   * iterating the loader does. For a caller that reads the rows itself (fit: into its backend's
   * arrays, each batch while the step before it runs), and then applies the loader's noise with
   * its generator, batch after batch, as the iterator does.
   */
  *indexBatches(): IterableIterator<{ indices: Uint32Array; next: Uint32Array | null }> {
    if (this.order === null) this.startEpoch();
    const order = this.order as Uint32Array;
    const rowsOf = (b: number) => order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize));
    while (this.nextBatch < this.length) {
      const b = this.nextBatch;
      this.nextBatch++;
      yield { indices: rowsOf(b), next: b + 1 < this.length ? rowsOf(b + 1) : null };
    }
    this.epochNumber++;
    this.order = null;
    this.epochStartGenerator = null;
    this.nextBatch = 0;
  }

  /** Abandon the epoch in progress; the next loop starts a new one. */
  reset(): void {
    this.order = null;
    this.epochStartGenerator = null;
    this.nextBatch = 0;
  }

  /** Where the loader is: enough to resume exactly with setState (JSON-serialisable). */
  state(): DataLoaderState {
    return {
      epoch: this.epochNumber,
      nextBatch: this.nextBatch,
      epochStartGenerator: this.epochStartGenerator ? [...this.epochStartGenerator] : null,
      generator: this.generator.getState(),
    };
  }

  /** Restore a state from `state()`. Sets this loader's generator too. */
  setState(s: DataLoaderState): void {
    if (!Number.isInteger(s.nextBatch) || s.nextBatch < 0 || s.nextBatch > this.length) {
      throw new Error(`DataLoader.setState: nextBatch ${s.nextBatch} is out of range [0, ${this.length}]`);
    }
    if (!Number.isInteger(s.epoch) || s.epoch < 0) throw new Error(`DataLoader.setState: epoch must be a non-negative integer, got ${JSON.stringify(s.epoch)}`);
    // Check both generator states before changing anything (setState throws on a bad one).
    new Generator().setState(s.generator);
    if (s.epochStartGenerator) new Generator().setState(s.epochStartGenerator);
    this.epochNumber = s.epoch;
    if (s.epochStartGenerator) {
      this.generator.setState(fromJson(s.epochStartGenerator));
      this.startEpoch();
      this.nextBatch = s.nextBatch;
    } else {
      this.reset();
    }
    this.generator.setState(fromJson(s.generator));
  }
}

/** JSON turns the generator's "no cached normal" NaN into null; turn it back. */
function fromJson(state: readonly (number | null)[]): number[] {
  return state.map((v) => (v === null ? NaN : v));
}

function identity(n: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}
