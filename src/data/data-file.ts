// A user's data file, whatever its format, as rows: `readDataFile` detects the format from the
// path and returns the rows ([n, ...featureShape]) as bytes (uint8 data stays uint8: a quarter of
// float32's memory) or float32, with the labels a PNG folder's sub-folders give. `readLabelsFile`
// reads one integer or name per row. Every error names the file, and the row/column, element or
// shape found and what was expected.
//
//   .npy             float32, float64, uint8, int32, int64, bool; shape [n, f], [n, h, w] or [n, c, h, w]
//   .csv / .tsv      numbers only; a header row detected or forced (see io/csv.ts)
//   IDX (.gz or raw) the MNIST format: a name ending in -ubyte, .idx or .gz
//   a folder of PNGs 8-bit grey or RGB, all the same size; sub-folders are classes (cats/001.png)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpy } from '../io/npy.js';
import { readCsv } from '../io/csv.js';
import { readIdx } from '../io/idx.js';
import { decodePng } from '../io/png.js';

export interface DataFile {
  file: string;
  format: 'npy' | 'csv' | 'idx' | 'png-folder';
  /** [n, ...featureShape]. */
  shape: number[];
  /** n × prod(featureShape), row-major: uint8 data as bytes, everything else as float32. */
  values: Uint8Array | Float32Array;
  /** Column names of a CSV header. */
  columns?: string[];
  /** Labels from a PNG folder's sub-folders (indices into classNames). */
  labels?: Int32Array;
  classNames?: string[];
}

export interface ReadDataOptions {
  /** CSV header: 'auto' (default), true or false. */
  header?: 'auto' | boolean;
}

export const DATA_FORMATS = '.npy, .csv, .tsv, IDX (-ubyte, .idx, .gz) or a folder of PNG images';

export function formatOf(file: string): DataFile['format'] {
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) return 'png-folder';
  const lower = file.toLowerCase();
  if (lower.endsWith('.npy')) return 'npy';
  if (lower.endsWith('.csv') || lower.endsWith('.tsv')) return 'csv';
  if (/(-ubyte|\.idx\d?|\.gz)$/.test(lower)) return 'idx';
  throw new Error(`'${file}': cannot tell its format from the name; expected ${DATA_FORMATS}`);
}

/** Float32 rows from any numeric array; non-finite values and values beyond float32 are refused. */
function toFloat32(file: string, data: ArrayLike<number>, rowSize: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out[i] = v;
    if (!Number.isFinite(out[i])) {
      throw new Error(`'${file}' row ${Math.floor(i / rowSize) + 1}, column ${(i % rowSize) + 1}: ${v} is not a finite float32 value; the data must be finite numbers`);
    }
  }
  return out;
}

export function checkShape(file: string, shape: number[], what: string): void {
  if (shape.length < 2 || shape.length > 4) {
    throw new Error(`'${file}' holds ${what} of shape [${shape.join(', ')}]; expected [n, features], [n, h, w] or [n, c, h, w]`);
  }
  if (shape[0] === 0) throw new Error(`'${file}' holds no rows (shape [${shape.join(', ')}])`);
}

/** Reads a data file or PNG folder; see the top of this file for the formats. */
export function readDataFile(file: string, options: ReadDataOptions = {}): DataFile {
  if (!fs.existsSync(file)) throw new Error(`'${file}' does not exist (expected ${DATA_FORMATS})`);
  const format = formatOf(file);
  switch (format) {
    case 'npy': {
      const a = readNpy(file);
      checkShape(file, a.shape, `a ${a.dtype} array`);
      const rowSize = a.shape.slice(1).reduce((x, y) => x * y, 1);
      const values = a.dtype === 'uint8' ? (a.data as Uint8Array) : toFloat32(file, a.data, rowSize);
      return { file, format, shape: a.shape, values };
    }
    case 'idx': {
      const a = readIdx(file);
      checkShape(file, a.dims, `a ${a.type} array`);
      const rowSize = a.dims.slice(1).reduce((x, y) => x * y, 1);
      return { file, format, shape: a.dims, values: a.type === 'uint8' ? (a.data as Uint8Array) : toFloat32(file, a.data, rowSize) };
    }
    case 'csv': {
      const t = readCsv(file, { header: options.header ?? 'auto' });
      if (t.rows === 0) throw new Error(`'${file}' holds no data rows${t.columns ? ' (only a header)' : ''}`);
      return { file, format, shape: [t.rows, t.cols], values: toFloat32(file, t.data, t.cols), ...(t.columns ? { columns: t.columns } : {}) };
    }
    case 'png-folder': return readPngFolder(file);
  }
}

/** PNGs of a folder (sorted by name), or of its sub-folders (one class each, sorted by name). */
function readPngFolder(dir: string): DataFile {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const subdirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const pngsIn = (d: string) => fs.readdirSync(d).filter((f) => f.toLowerCase().endsWith('.png')).sort().map((f) => path.join(d, f));
  const files: string[] = [];
  const labels: number[] = [];
  if (subdirs.length > 0) {
    subdirs.forEach((name, k) => { for (const f of pngsIn(path.join(dir, name))) { files.push(f); labels.push(k); } });
  } else {
    files.push(...pngsIn(dir));
  }
  if (files.length === 0) throw new Error(`'${dir}' holds no .png files${subdirs.length ? ' in its sub-folders' : ''}`);
  let first: { file: string; width: number; height: number; channels: number } | null = null;
  let values = new Uint8Array(0);
  files.forEach((f, i) => {
    const img = decodePng(fs.readFileSync(f), f);
    if (img.channels !== 1 && img.channels !== 3) {
      throw new Error(`'${f}' has ${img.channels === 2 ? 'grey + alpha' : 'RGBA'} pixels; expected 8-bit grey or RGB images`);
    }
    const kind = (c: number) => (c === 1 ? 'grey' : 'RGB');
    if (first === null) {
      first = { file: f, width: img.width, height: img.height, channels: img.channels };
      values = new Uint8Array(files.length * img.width * img.height * img.channels);
    } else if (img.width !== first.width || img.height !== first.height || img.channels !== first.channels) {
      throw new Error(`'${f}' is ${img.width}×${img.height} ${kind(img.channels)}; expected ${first.width}×${first.height} ${kind(first.channels)} like '${first.file}' (all images must have the same size)`);
    }
    // PNG stores pixels interleaved (h, w, c); the models take channels first (c, h, w).
    const { width: w, height: h, channels: c } = img;
    const o = i * w * h * c;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) values[o + ch * h * w + y * w + x] = img.data[(y * w + x) * c + ch];
  });
  const f0 = first as unknown as { width: number; height: number; channels: number };
  const shape = [files.length, f0.channels, f0.height, f0.width];
  return { file: dir, format: 'png-folder', shape, values, ...(subdirs.length > 0 ? { labels: Int32Array.from(labels), classNames: subdirs } : {}) };
}

export interface LabelsFile {
  labels: Int32Array;
  /** Names, when the file held names rather than integers (labels index them, sorted). */
  classNames?: string[];
}

/** Reads one label per row (.npy, .csv/.txt, IDX): non-negative integers, or names in a CSV. */
export function readLabelsFile(file: string, rows: number, dataFile: string): LabelsFile {
  if (!fs.existsSync(file)) throw new Error(`the labels file '${file}' does not exist`);
  const lower = file.toLowerCase();
  let values: ArrayLike<number>;
  let classNames: string[] | undefined;
  let shape: number[];
  if (lower.endsWith('.npy')) {
    const a = readNpy(file);
    values = a.data; shape = a.shape;
  } else if (/\.(csv|tsv|txt)$/.test(lower)) {
    const cells = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim().replace(/^"(.*)"$/, '$1'));
    while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
    const bad = cells.findIndex((c) => c.includes(',') || c.includes('\t'));
    if (bad >= 0) throw new Error(`the labels file '${file}' row ${bad + 1} has several fields ('${cells[bad]}'); expected one label per row`);
    const isInt = (c: string) => /^[+-]?\d+$/.test(c);
    // A header is a first row that is not an integer over a column that is.
    if (cells.length > 1 && !isInt(cells[0]) && cells.slice(1).every(isInt)) cells.shift();
    // Over a column of names, a header is told by the count: one more row than the data has.
    else if (cells.length === rows + 1 && !cells.every(isInt)) cells.shift();
    if (cells.every(isInt)) {
      values = cells.map(Number);
    } else {
      classNames = [...new Set(cells)].sort();
      const index = new Map(classNames.map((n, i) => [n, i]));
      values = cells.map((c) => index.get(c) as number);
    }
    shape = [cells.length];
  } else if (/(-ubyte|\.idx\d?|\.gz)$/.test(lower)) {
    const a = readIdx(file);
    values = a.data; shape = a.dims;
  } else {
    throw new Error(`the labels file '${file}': cannot tell its format from the name; expected .npy, .csv, .txt or IDX`);
  }
  if (shape.length !== 1 && !(shape.length === 2 && shape[1] === 1)) {
    throw new Error(`the labels file '${file}' has shape [${shape.join(', ')}]; expected [${rows}] (one label per row)`);
  }
  if (values.length !== rows) {
    throw new Error(`the labels file '${file}' has ${values.length} labels, but the data '${dataFile}' has ${rows} rows; expected one label per row`);
  }
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v > 1e6) {
      throw new Error(`the labels file '${file}' row ${i + 1}: ${v} is not a class label; expected integers in [0, 1000000] or names`);
    }
    labels[i] = v;
  }
  return { labels, ...(classNames ? { classNames } : {}) };
}
