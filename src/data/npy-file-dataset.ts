// A .npy file on disk as a Dataset, read row by row with positional reads: the file can be
// larger than memory. Row i of an array of shape [n, ...featureShape] is the i-th block of
// prod(featureShape) elements after the header (C order).

import * as fs from 'node:fs';
import { MAX_NPY_HEADER_BYTES, parseNpyHeader, type NpyDtype } from '../io/npy.js';
import { openRegularFile } from '../io/read-file.js';
import { checkReadRows, featureSize, type Dataset } from './dataset.js';
import { readExactly, readRowsPositional, type RowDecoder } from './file-rows.js';

export interface FileDatasetOptions {
  /** uint8 data: divide by 255 so rows are in [0, 1] (default true); false keeps 0..255. */
  scaleUint8?: boolean;
}

/** Decoders for little-endian data (the host order on every platform Node runs on). */
function littleEndianDecoder(dtype: NpyDtype, scaleUint8: boolean): RowDecoder {
  switch (dtype) {
    case 'float32':
      return (bytes, out, off, count) => {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, count * 4);
        for (let i = 0; i < count; i++) out[off + i] = dv.getFloat32(4 * i, true);
      };
    case 'float64':
      return (bytes, out, off, count) => {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, count * 8);
        for (let i = 0; i < count; i++) out[off + i] = dv.getFloat64(8 * i, true);
      };
    case 'int32':
      return (bytes, out, off, count) => {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, count * 4);
        for (let i = 0; i < count; i++) out[off + i] = dv.getInt32(4 * i, true);
      };
    case 'int64':
      return (bytes, out, off, count) => {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, count * 8);
        for (let i = 0; i < count; i++) out[off + i] = Number(dv.getBigInt64(8 * i, true));
      };
    case 'bool':
      return (bytes, out, off, count) => {
        for (let i = 0; i < count; i++) out[off + i] = bytes[i] === 0 ? 0 : 1;
      };
    case 'uint8': {
      const k = scaleUint8 ? 1 / 255 : 1;
      return (bytes, out, off, count) => {
        for (let i = 0; i < count; i++) out[off + i] = bytes[i] * k;
      };
    }
  }
}

/** Read the header of a .npy file without reading its data. */
function readHeaderBytes(fd: number, fileName: string): Uint8Array {
  const size = fs.fstatSync(fd).size;
  const pre = new Uint8Array(Math.min(12, size));
  readExactly(fd, pre, pre.length, 0, 'NpyFileDataset', fileName);
  // The preamble says how long the header is; read that much (parseNpyHeader re-checks everything).
  let total = pre.length;
  if (pre.length >= 10 && pre[6] === 1) total = 10 + (pre[8] | (pre[9] << 8));
  else if (pre.length >= 12 && (pre[6] === 2 || pre[6] === 3)) total = 12 + new DataView(pre.buffer).getUint32(8, true);
  // A forged preamble may declare a 4 GiB header: read no more than parseNpyHeader accepts (it names the limit).
  total = Math.min(total, size, 12 + MAX_NPY_HEADER_BYTES);
  const head = new Uint8Array(total);
  readExactly(fd, head, total, 0, 'NpyFileDataset', fileName);
  return head;
}

export class NpyFileDataset implements Dataset {
  readonly length: number;
  readonly featureShape: number[];
  readonly dtype: NpyDtype;
  private fd: number | null;
  private readonly rowSize: number;
  private readonly bytesPerElement: number;
  private readonly dataOffset: number;
  private readonly decode: RowDecoder;

  constructor(readonly path: string, options: FileDatasetOptions = {}) {
    this.fd = openRegularFile(path, 'NpyFileDataset');
    try {
      const h = parseNpyHeader(readHeaderBytes(this.fd, path), path);
      if (h.shape.length < 1) throw new Error(`NpyFileDataset: '${path}' holds a 0-d array; expected shape [n, ...features]`);
      this.length = h.shape[0];
      this.featureShape = h.shape.slice(1);
      this.rowSize = featureSize(this.featureShape);
      this.dtype = h.dtype;
      this.bytesPerElement = h.bytesPerElement;
      this.dataOffset = h.dataOffset;
      const need = h.dataOffset + h.count * h.bytesPerElement;
      const size = fs.fstatSync(this.fd).size;
      if (size < need) throw new Error(`NpyFileDataset: '${path}' is truncated: shape (${h.shape.join(', ')}) of ${h.dtype} needs ${need} bytes, the file has ${size}`);
      this.decode = littleEndianDecoder(h.dtype, options.scaleUint8 ?? true);
    } catch (err) {
      fs.closeSync(this.fd);
      this.fd = null;
      throw err;
    }
  }

  readRows(indices: ArrayLike<number>, out: Float32Array): void {
    if (this.fd === null) throw new Error(`NpyFileDataset.readRows: '${this.path}' is closed`);
    checkReadRows('NpyFileDataset', this.length, this.rowSize, indices, out);
    readRowsPositional(this.fd, this.dataOffset, this.rowSize, this.bytesPerElement, indices, out, this.decode, 'NpyFileDataset', this.path);
  }

  /** Close the file. Further reads throw. */
  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
