// Training rows that stay in their file (a .npy or a raw IDX bigger than memory): read a batch
// at a time through NpyFileDataset / IdxFileDataset, as the data's own values (uint8 not divided),
// then scaled with the run's transform exactly as the in-memory rows are (the same float32
// roundings), so a streamed run trains on bit-identical batches.
import { NpyFileDataset } from './npy-file-dataset.js';
import { IdxFileDataset } from './idx-file-dataset.js';
import { featureSize, type Dataset } from './dataset.js';
import type { DataTransform } from './transform.js';

/** A file whose rows can be read by position: its rows' values unscaled, and whether they are bytes. */
export interface RowFile {
  source: Dataset & { close(): void };
  /** uint8 data (the transform `auto` divides it by 255, as for bytes in memory). */
  bytes: boolean;
}

/** Opens a .npy or raw IDX file for positional reads; gzip IDX, CSV and PNG folders cannot be. */
export function openRowFile(file: string, format: 'npy' | 'idx'): RowFile {
  if (format === 'npy') {
    const d = new NpyFileDataset(file, { scaleUint8: false });
    return { source: d, bytes: d.dtype === 'uint8' };
  }
  const d = new IdxFileDataset(file, { scaleUint8: false });
  return { source: d, bytes: d.type === 'uint8' };
}

/** Rows per chunk of a sequential pass: about 4 MiB of float32. */
export function chunkRows(rowSize: number): number {
  return Math.max(1, Math.floor((4 << 20) / (4 * Math.max(rowSize, 1))));
}

/**
 * The rows `index` of `source` in order, a chunk at a time (one buffer, reused: copy what you
 * keep). Every value is checked finite, as readDataFile checks the rows it loads.
 */
export function* rowChunks(source: Dataset, index: Uint32Array, file: string): Generator<Float32Array> {
  const rowSize = featureSize(source.featureShape);
  const per = chunkRows(rowSize);
  const buf = new Float32Array(Math.min(per, index.length) * rowSize);
  for (let at = 0; at < index.length; at += per) {
    const rows = index.subarray(at, Math.min(at + per, index.length));
    const out = buf.subarray(0, rows.length * rowSize);
    source.readRows(rows, out);
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i])) {
        throw new Error(`'${file}' row ${rows[Math.floor(i / rowSize)] + 1}, column ${(i % rowSize) + 1}: ${out[i]} is not a finite float32 value; the data must be finite numbers`);
      }
    }
    yield out;
  }
}

/** Rows `index` of a file's rows, scaled per batch with `transform`, shaped `featureShape` (same size). */
export class ScaledRows implements Dataset {
  readonly length: number;
  readonly featureShape: number[];

  constructor(private readonly source: Dataset, private readonly index: Uint32Array, private readonly transform: DataTransform, featureShape: number[]) {
    if (featureSize(featureShape) !== featureSize(source.featureShape)) {
      throw new Error(`ScaledRows: rows of shape [${featureShape.join(', ')}] do not hold the source's [${source.featureShape.join(', ')}]`);
    }
    this.length = index.length;
    this.featureShape = [...featureShape];
  }

  readRows(indices: ArrayLike<number>, out: Float32Array): void {
    const rows = new Uint32Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i];
      if (!Number.isInteger(r) || r < 0 || r >= this.length) throw new Error(`ScaledRows.readRows: index ${r} at position ${i} is out of range [0, ${this.length})`);
      rows[i] = this.index[r];
    }
    const n = indices.length * featureSize(this.featureShape);
    const raw = out.subarray(0, n);
    this.source.readRows(rows, raw);
    raw.set(this.transform.apply(raw));
  }
}
