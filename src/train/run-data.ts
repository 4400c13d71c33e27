// The data of a run, whatever it is: the bundled Fashion-MNIST (the default) or the user's files
// (--data, --labels, --test-data or --val-split, --input-shape), read and checked completely
// before anything is written, scaled with the transform fitted on the training rows (or the
// run's stored one), and handed to training as a Dataset (uint8 stays uint8: ByteDataset).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Generator } from '../random.js';
import { checkShape, formatOf, readDataFile, readLabelsFile, type DataFile } from '../data/data-file.js';
import { openRowFile, rowChunks, ScaledRows, type RowFile } from '../data/streamed-rows.js';
import { DataTransform } from '../data/transform.js';
import { ByteDataset } from '../data/byte-dataset.js';
import { InMemoryDataset, type Dataset } from '../data/dataset.js';
import { FASHION_MNIST_CLASSES, fashionMnistDir } from '../data/fashion-mnist.js';
import { CliError, UsageError } from '../util/errors.js';
import type { TrainConfig } from '../models/run-config.js';
import { featureShapeOf } from '../models/build-model.js';

/** One split's rows: `images` in the model's units (float32, made on first use), labels when known. */
export interface DataSplit {
  n: number;
  readonly images: Float32Array;
  labels: Int32Array | null;
  /** The rows as bytes when the file held uint8 and the transform divides (ByteDataset trains from them). */
  bytes?: Uint8Array;
  /** Rows left in their file (streamed): `index` rows of `source`, unscaled; `images` reads them all. */
  stream?: { source: Dataset; index: Uint32Array };
  file: string;
}

export interface Data {
  train: DataSplit;
  test: DataSplit;
  /** The shape of one row as the data gives it: [c, h, w] for images, [features] for a table. */
  featureShape: number[];
  transform: DataTransform;
  classNames: readonly string[] | null;
  /** Image-shaped rows (pictures are image grids) rather than a table (a per-feature error chart). */
  isImage: boolean;
  /** Column names of a CSV header. */
  columns?: string[];
}

/** Test rows kept with --limit N: a sixth of N (the 60,000/10,000 ratio), at least 100. */
export function testLimitFor(limit: number | undefined): number | undefined {
  return limit === undefined ? undefined : Math.max(100, Math.ceil(limit / 6));
}

interface Rows { file: string; shape: number[]; values: Uint8Array | Float32Array; labels: Int32Array | null; classNames: string[] | null; columns?: string[] }

function bundledFile(base: string): string {
  const dir = fashionMnistDir();
  const gz = path.join(dir, `${base}.gz`);
  return fs.existsSync(gz) ? gz : path.join(dir, base);
}

/** The row shape --input-shape gives, checked against the file's. */
function withInputShape(command: string, file: string, shape: number[], c: TrainConfig): number[] {
  const want = c.data.inputShape;
  if (want === undefined) return shape;
  const size = shape.slice(1).reduce((a, b) => a * b, 1);
  const wantSize = want.reduce((a, b) => a * b, 1);
  if (size !== wantSize) {
    throw new UsageError(`tessera ${command}: --input-shape ${want.join(',')} holds ${wantSize} values, but the rows of '${file}' have ${size} (shape [${shape.slice(1).join(', ')}])`);
  }
  return [shape[0], ...want];
}

function readLabels(command: string, labelsFile: string, rows: number, file: string): { labels: Int32Array; classNames: string[] | null } {
  try {
    const l = readLabelsFile(labelsFile, rows, file);
    return { labels: l.labels, classNames: l.classNames ?? null };
  } catch (e) {
    throw new CliError(`tessera ${command}: ${(e as Error).message}`);
  }
}

const cannotUse = (command: string, e: unknown) => new CliError(`tessera ${command}: cannot use the data ${(e as Error).message.replace(/^\w+: /, '')}`);

/** Reads a data file (and its labels file), applying --input-shape; every problem is a CliError naming the file. */
export function readRows(command: string, file: string, labelsFile: string | undefined, c: TrainConfig): Rows {
  let f: DataFile;
  try {
    f = readDataFile(file, { header: c.data.header });
  } catch (e) {
    throw cannotUse(command, e);
  }
  const shape = withInputShape(command, file, f.shape, c);
  let labels = f.labels ?? null;
  let classNames = f.classNames ?? null;
  if (labelsFile !== undefined) ({ labels, classNames } = readLabels(command, labelsFile, shape[0], file));
  return { file, shape, values: f.values, labels, classNames, ...(f.columns ? { columns: f.columns } : {}) };
}

/** Rows left in a .npy or raw IDX file: the `index` rows of it, read a batch at a time. */
interface FileRows extends RowFile { file: string; shape: number[]; index: Uint32Array; labels: Int32Array | null; classNames: string[] | null }

/**
 * Whether the training data streams from its file rather than being read into memory: with
 * --stream, or when the file is larger than half the memory free now. Only a .npy or a raw IDX
 * file can be read by position; any other too large for memory is refused, naming the way out.
 */
export function streamsFrom(command: string, file: string, stream: boolean, freeBytes: number = os.freemem()): boolean {
  let format: string;
  try { format = formatOf(file); } catch { return false; }   // readDataFile names the problem
  const size = format === 'png-folder' || !fs.existsSync(file) ? 0 : fs.statSync(file).size;
  const tooLarge = size > freeBytes / 2;
  if (format === 'npy' || (format === 'idx' && !file.toLowerCase().endsWith('.gz'))) return stream || tooLarge;
  const kind = format === 'idx' ? 'a gzip-compressed IDX file' : format === 'csv' ? 'a CSV file' : 'a folder of PNG images';
  const way = format === 'idx' ? 'decompress it (gunzip -k)' : 'convert it to .npy';
  if (stream) throw new UsageError(`tessera ${command}: --stream reads rows by position from a .npy or raw IDX file, but '${file}' is ${kind}; ${way}`);
  if (tooLarge) throw new CliError(`tessera ${command}: '${file}' (${size} bytes) is larger than half the free memory (${Math.round(freeBytes)} bytes) and, as ${kind}, cannot be streamed; ${way} and train from that`);
  return false;
}

/** Opens the training data for streaming, checking its header, shape and labels (no rows read). */
function openFileRows(command: string, file: string, labelsFile: string | undefined, c: TrainConfig): FileRows {
  let f: RowFile;
  try {
    f = openRowFile(file, formatOf(file) as 'npy' | 'idx');
    checkShape(file, [f.source.length, ...f.source.featureShape], 'an array');
  } catch (e) {
    throw cannotUse(command, e);
  }
  const shape = withInputShape(command, file, [f.source.length, ...f.source.featureShape], c);
  const l = labelsFile === undefined ? { labels: null, classNames: null } : readLabels(command, labelsFile, shape[0], file);
  return { ...f, file, shape, index: Uint32Array.from({ length: shape[0] }, (_, i) => i), ...l };
}

/** The data a run trains on: left in its file (streamed) or read into memory; decided here only. */
function openData(command: string, file: string, labelsFile: string | undefined, c: TrainConfig): Rows | FileRows {
  return streamsFrom(command, file, c.data.stream === true) ? openFileRows(command, file, labelsFile, c) : readRows(command, file, labelsFile, c);
}

const isFileRows = (r: Rows | FileRows): r is FileRows => 'source' in r;

/** Streamed rows read into memory (the test split's: small); every value checked finite. */
function loadFileRows(rows: FileRows): Rows {
  const size = rowSizeOf(rows.shape);
  const values = new Float32Array(rows.index.length * size);
  let at = 0;
  for (const chunk of rowChunks(rows.source, rows.index, rows.file)) { values.set(chunk, at); at += chunk.length; }
  return { file: rows.file, shape: rows.shape, values, labels: rows.labels, classNames: rows.classNames };
}

const rowSizeOf = (shape: readonly number[]) => shape.slice(1).reduce((a, b) => a * b, 1);

/** Rows `index` of `rows` (in order). */
function pick<R extends Rows | FileRows>(rows: R, index: ArrayLike<number>): R {
  if (isFileRows(rows)) {
    const labels = rows.labels ? Int32Array.from(index, (r) => (rows.labels as Int32Array)[r]) : null;
    return { ...rows, shape: [index.length, ...rows.shape.slice(1)], index: Uint32Array.from(index, (r) => rows.index[r]), labels };
  }
  const size = rowSizeOf(rows.shape);
  const values = rows.values instanceof Uint8Array ? new Uint8Array(index.length * size) : new Float32Array(index.length * size);
  for (let i = 0; i < index.length; i++) values.set(rows.values.subarray(index[i] * size, (index[i] + 1) * size), i * size);
  const labels = rows.labels ? Int32Array.from(index, (r) => (rows.labels as Int32Array)[r]) : null;
  return { ...rows, shape: [index.length, ...rows.shape.slice(1)], values, labels };
}

function firstRows<R extends Rows | FileRows>(rows: R, limit: number | undefined): R {
  if (limit === undefined || limit >= rows.shape[0]) return rows;
  return pick(rows, Array.from({ length: limit }, (_, i) => i));
}

/** A split of scaled rows; bytes are kept when the transform divides them (the ByteDataset path). */
function toSplit(rows: Rows | FileRows, transform: DataTransform): DataSplit {
  let images: Float32Array | null = null;
  if (isFileRows(rows)) {
    return {
      n: rows.shape[0], labels: rows.labels, file: rows.file, stream: { source: rows.source, index: rows.index },
      get images() { return (images ??= transform.apply(loadFileRows(rows).values)); },
    };
  }
  const keepBytes = rows.values instanceof Uint8Array && transform.spec.kind === 'divide';
  return {
    n: rows.shape[0], labels: rows.labels, file: rows.file,
    ...(keepBytes ? { bytes: rows.values as Uint8Array } : {}),
    get images() { return (images ??= transform.apply(rows.values)); },
  };
}

/** The check --loss bce needs: every target in [0, 1] after scaling. */
function checkUnitRange(command: string, split: DataSplit, transform: DataTransform, rowSize: number, c: TrainConfig): void {
  const chunks = split.stream
    ? rowChunks(new ScaledRows(split.stream.source, split.stream.index, transform, split.stream.source.featureShape), Uint32Array.from({ length: split.n }, (_, i) => i), split.file)
    : [split.images];
  let row0 = 0;
  for (const x of chunks) {
    for (let i = 0; i < x.length; i++) {
      if (!(x[i] >= 0 && x[i] <= 1)) {
        throw new UsageError(`tessera ${command}: --loss bce needs every value in [0, 1], but '${split.file}' row ${row0 + Math.floor(i / rowSize) + 1}, column ${(i % rowSize) + 1} is ${x[i]} after --scale ${c.data.scale}; use --scale minmax, or --loss mse`);
      }
    }
    row0 += x.length / rowSize;
  }
}

/**
 * The run's data: training and test rows, scaled. With `only: 'test'` the training rows are read
 * only when they are the test rows' source (a --val-split) or the transform must be fitted.
 */
export function loadData(command: string, c: TrainConfig, limit: number | undefined = c.limit): Data {
  const d = c.data;
  let train: Rows | FileRows, test: Rows;
  let classNames: readonly string[] | null;
  if (d.data === undefined) {
    train = readRows(command, bundledFile('train-images-idx3-ubyte'), bundledFile('train-labels-idx1-ubyte'), c);
    test = readRows(command, bundledFile('t10k-images-idx3-ubyte'), bundledFile('t10k-labels-idx1-ubyte'), c);
    classNames = FASHION_MNIST_CLASSES;
    train = { ...train, shape: [train.shape[0], 1, 28, 28] };
    test = { ...test, shape: [test.shape[0], 1, 28, 28] };
  } else {
    const all = openData(command, d.data, d.labels, c);
    classNames = all.classNames;
    if (d.testData !== undefined) {
      train = all;
      test = readRows(command, d.testData, d.testLabels, c);
      if (rowSizeOf(test.shape) !== rowSizeOf(train.shape)) {
        throw new CliError(`tessera ${command}: the rows of the test data '${d.testData}' are [${test.shape.slice(1).join(', ')}], but those of the training data '${d.data}' are [${train.shape.slice(1).join(', ')}]; they must match`);
      }
      test = { ...test, shape: [test.shape[0], ...train.shape.slice(1)] };
      if (train.labels && test.labels && (train.classNames ?? null) !== null && JSON.stringify(train.classNames) !== JSON.stringify(test.classNames)) {
        throw new CliError(`tessera ${command}: the class names of the test labels (${(test.classNames ?? []).join(', ')}) differ from the training labels' (${(train.classNames ?? []).join(', ')})`);
      }
    } else {
      // A seeded split: the same --seed holds out the same rows, so the run can be read again.
      const n = all.shape[0];
      const fraction = d.valSplit ?? 0.1;   // resolveDataConfig sets it; 0.1 for a config built by hand
      const k = Math.round(n * fraction);
      if (k < 1 || k >= n) throw new UsageError(`tessera ${command}: --val-split ${fraction} of ${n} rows leaves ${k} test rows and ${n - k} training rows; both need at least one (give more data or --test-data)`);
      const perm = new Generator(c.seed + 0x5917).permutation(n);
      const held = Uint32Array.from(perm.subarray(0, k)).sort();
      const kept = Uint32Array.from(perm.subarray(k)).sort();
      train = pick(all, kept);
      const heldRows = pick(all, held);
      test = isFileRows(heldRows) ? loadFileRows(heldRows) : heldRows;
    }
  }
  train = firstRows(train, limit);
  test = firstRows(test, testLimitFor(limit));
  const featureShape = train.shape.slice(1);
  const rowSize = rowSizeOf(train.shape);
  const transform = c.transform ? new DataTransform(c.transform) : fitTransform(d.scale, train, rowSize);
  if (transform.spec.kind === 'minmax' || transform.spec.kind === 'standardize') {
    const f = transform.spec.kind === 'minmax' ? transform.spec.min.length : transform.spec.mean.length;
    if (f !== rowSize) throw new CliError(`tessera ${command}: the run's scaling was fitted on rows of ${f} values, but '${train.file}' has rows of ${rowSize}`);
  }
  const data: Data = {
    train: toSplit(train, transform), test: toSplit(test, transform), featureShape, transform, classNames,
    isImage: isImageShape(featureShape), ...('columns' in train && train.columns ? { columns: train.columns } : {}),
  };
  if (d.loss === 'bce') { checkUnitRange(command, data.train, transform, rowSize, c); checkUnitRange(command, data.test, transform, rowSize, c); }
  return data;
}

/**
 * The scaling fitted on the training rows; streamed rows are read a chunk at a time, in the same
 * order as in memory (the same transform), and float data is read through at least once so that
 * every value is checked finite before anything is written.
 */
function fitTransform(scale: TrainConfig['data']['scale'], train: Rows | FileRows, rowSize: number): DataTransform {
  if (!isFileRows(train)) return DataTransform.fit(scale, train.values, rowSize);
  let checked = train.bytes;
  const chunks = function* () { yield* rowChunks(train.source, train.index, train.file); checked = true; };
  const transform = DataTransform.fitChunks(scale, train.bytes, rowSize, chunks);
  if (!checked) for (const _ of chunks()) { /* the check is the read */ }
  return transform;
}

/** [h, w] or [c, h, w] with 1 or 3 channels: drawn as pictures. */
export function isImageShape(shape: readonly number[]): boolean {
  return (shape.length === 2) || (shape.length === 3 && (shape[0] === 1 || shape[0] === 3));
}

/** The training rows as a Dataset shaped for the model: bytes scaled as each batch is gathered, or float32. */
export function trainDataset(data: Data, modelShape: number[]): Dataset {
  const s = data.train;
  const t = data.transform.spec;
  if (s.stream) return new ScaledRows(s.stream.source, s.stream.index, data.transform, modelShape);
  if (s.bytes && t.kind === 'divide') return new ByteDataset(s.bytes, modelShape, { divisor: t.divisor });
  return new InMemoryDataset(s.images, modelShape);
}

export function testDataset(data: Data, modelShape: number[]): Dataset {
  return new InMemoryDataset(data.test.images, modelShape);
}

/**
 * Rows of another file for a trained run (`encode`/`reconstruct`/`eval --data`), scaled with the
 * run's own transform (fitted on its training data), checked against the model's row size.
 */
export function readForRun(command: string, c: TrainConfig, file: string, labelsFile: string | undefined, header: 'auto' | boolean): { split: DataSplit; featureShape: number[] } {
  const rows = readRows(command, path.resolve(file), labelsFile === undefined ? undefined : path.resolve(labelsFile), { ...c, data: { ...c.data, header } });
  const want = featureShapeOf(c);
  const size = rowSizeOf(rows.shape);
  const wantSize = want.reduce((a, b) => a * b, 1);
  if (size !== wantSize) {
    throw new CliError(`tessera ${command}: the rows of '${file}' have ${size} values (shape [${rows.shape.slice(1).join(', ')}]), but the run's model takes rows of ${wantSize} (shape [${want.join(', ')}])`);
  }
  // Runs from before the transform was recorded trained on Fashion-MNIST bytes / 255.
  const transform = new DataTransform(c.transform ?? (rows.values instanceof Uint8Array ? { kind: 'divide', divisor: 255 } : { kind: 'none' }));
  return { split: toSplit(rows, transform), featureShape: rows.shape.slice(1) };
}

