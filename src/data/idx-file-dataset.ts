// An uncompressed IDX file on disk (MNIST format, big-endian) as a Dataset, read with positional
// reads so the file can be larger than memory. Gzip-compressed files cannot be read by position:
// decompress them first (`gunzip -k file.gz`) or use readIdx / InMemoryDataset.
// Labels, small by nature, come from a second IDX file (gzip allowed) loaded into memory.

import * as fs from 'node:fs';
import { parseIdxHeader, readIdx, type IdxType } from '../io/idx.js';
import { openRegularFile } from '../io/read-file.js';
import { checkReadRows, featureSize, labelReader, type Dataset } from './dataset.js';
import { readExactly, readRowsPositional, type RowDecoder } from './file-rows.js';
import type { FileDatasetOptions } from './npy-file-dataset.js';

export interface IdxFileDatasetOptions extends FileDatasetOptions {
  /** An IDX file of one integer label per row (e.g. train-labels-idx1-ubyte[.gz]). */
  labelsPath?: string;
}

function bigEndianDecoder(type: IdxType, scaleUint8: boolean): RowDecoder {
  const get: Record<IdxType, [number, (dv: DataView, at: number) => number]> = {
    uint8: [1, (dv, at) => dv.getUint8(at)],
    int8: [1, (dv, at) => dv.getInt8(at)],
    int16: [2, (dv, at) => dv.getInt16(at, false)],
    int32: [4, (dv, at) => dv.getInt32(at, false)],
    float32: [4, (dv, at) => dv.getFloat32(at, false)],
    float64: [8, (dv, at) => dv.getFloat64(at, false)],
  };
  if (type === 'uint8') {
    const k = scaleUint8 ? 1 / 255 : 1;
    return (bytes, out, off, count) => {
      for (let i = 0; i < count; i++) out[off + i] = bytes[i] * k;
    };
  }
  const [size, read] = get[type];
  return (bytes, out, off, count) => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, count * size);
    for (let i = 0; i < count; i++) out[off + i] = read(dv, i * size);
  };
}

export class IdxFileDataset implements Dataset {
  readonly length: number;
  readonly featureShape: number[];
  readonly type: IdxType;
  private fd: number | null;
  private readonly rowSize: number;
  private readonly bytesPerElement: number;
  private readonly dataOffset: number;
  private readonly decode: RowDecoder;

  constructor(readonly path: string, options: IdxFileDatasetOptions = {}) {
    this.fd = openRegularFile(path, 'IdxFileDataset');
    try {
      const size = fs.fstatSync(this.fd).size;
      const pre = new Uint8Array(Math.min(4, size));
      readExactly(this.fd, pre, pre.length, 0, 'IdxFileDataset', path);
      if (pre.length >= 2 && pre[0] === 0x1f && pre[1] === 0x8b) {
        throw new Error(`IdxFileDataset: '${path}' is gzip-compressed and cannot be read by position; decompress it first (gunzip -k) or load it with readIdx`);
      }
      const headerLen = pre.length === 4 ? 4 + 4 * pre[3] : pre.length;
      const head = new Uint8Array(Math.min(headerLen, size));
      readExactly(this.fd, head, head.length, 0, 'IdxFileDataset', path);
      const h = parseIdxHeader(head, path);
      if (h.dims.length < 1) throw new Error(`IdxFileDataset: '${path}' has no dimensions; expected [n, ...features]`);
      const need = h.dataOffset + h.count * h.bytesPerElement;
      if (size < need) throw new Error(`IdxFileDataset: '${path}' is truncated: dims [${h.dims.join(', ')}] of ${h.type} need ${need} bytes, the file has ${size}`);
      this.length = h.dims[0];
      this.featureShape = h.dims.slice(1);
      this.rowSize = featureSize(this.featureShape);
      this.type = h.type;
      this.bytesPerElement = h.bytesPerElement;
      this.dataOffset = h.dataOffset;
      this.decode = bigEndianDecoder(h.type, options.scaleUint8 ?? true);
      if (options.labelsPath !== undefined) {
        const labels = readIdx(options.labelsPath);
        if (labels.dims.length !== 1 || labels.dims[0] !== this.length) {
          throw new Error(`IdxFileDataset: labels '${options.labelsPath}' have dims [${labels.dims.join(', ')}], expected [${this.length}] to match '${path}'`);
        }
        this.readLabels = labelReader('IdxFileDataset', labels.data as ArrayLike<number>, this.length);
      }
    } catch (err) {
      fs.closeSync(this.fd);
      this.fd = null;
      throw err;
    }
  }

  readLabels?: (indices: ArrayLike<number>, out: Int32Array) => void;

  readRows(indices: ArrayLike<number>, out: Float32Array): void {
    if (this.fd === null) throw new Error(`IdxFileDataset.readRows: '${this.path}' is closed`);
    checkReadRows('IdxFileDataset', this.length, this.rowSize, indices, out);
    readRowsPositional(this.fd, this.dataOffset, this.rowSize, this.bytesPerElement, indices, out, this.decode, 'IdxFileDataset', this.path);
  }

  /** Close the file. Further reads throw. */
  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
