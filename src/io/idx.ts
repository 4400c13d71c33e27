// IDX, the MNIST file format (also Fashion-MNIST). Everything is big-endian:
//   bytes 0-1  0x00 0x00
//   byte  2    element type: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
//   byte  3    number of dimensions d
//   4·d bytes  each dimension as a u32
//   then prod(dims) elements, row-major.
// The files are usually distributed gzip-compressed; we detect the gzip magic (1f 8b).

import { inflateExactly, inflateHead } from './inflate.js';
import { readRegularFile } from './read-file.js';

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dims: number[];
  type: IdxType;
  data: IdxData;
}

/** Type code → [name, bytes per element]. */
const IDX_TYPES: ReadonlyMap<number, readonly [IdxType, number]> = new Map([
  [0x08, ['uint8', 1]],
  [0x09, ['int8', 1]],
  [0x0b, ['int16', 2]],
  [0x0c, ['int32', 4]],
  [0x0d, ['float32', 4]],
  [0x0e, ['float64', 8]],
] as const);

export interface IdxHeader {
  dims: number[];
  type: IdxType;
  typeCode: number;
  bytesPerElement: number;
  /** Byte offset of the first element (4 + 4·ndim). */
  dataOffset: number;
  /** prod(dims). */
  count: number;
}

function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Parse an IDX header from the first bytes of an (uncompressed) file. `bytes` must hold at
 * least the header; `name` is used in error messages.
 */
export function parseIdxHeader(bytes: Uint8Array, name: string): IdxHeader {
  if (bytes.length < 4) {
    throw new Error(`readIdx: '${name}' is truncated: expected at least 4 header bytes, got ${bytes.length}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `readIdx: '${name}' is not an IDX file: bad magic, found bytes ${hex(bytes.subarray(0, 4))}, ` +
        `expected 00 00 <type> <ndim> (types 08 09 0b 0c 0d 0e)`,
    );
  }
  const typeCode = bytes[2];
  const entry = IDX_TYPES.get(typeCode);
  if (!entry) {
    throw new Error(
      `readIdx: '${name}' has unknown IDX type code 0x${typeCode.toString(16).padStart(2, '0')}, ` +
        `expected one of 0x08 (u8), 0x09 (i8), 0x0b (i16), 0x0c (i32), 0x0d (f32), 0x0e (f64)`,
    );
  }
  const ndim = bytes[3];
  const dataOffset = 4 + 4 * ndim;
  if (bytes.length < dataOffset) {
    throw new Error(
      `readIdx: '${name}' is truncated: its header declares ${ndim} dimensions, needing ${dataOffset} bytes, got ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  return { dims, type: entry[0], typeCode, bytesPerElement: entry[1], dataOffset, count };
}

/** Decode `count` big-endian elements of `type` starting at `offset`. */
function decodeIdxElements(bytes: Uint8Array, offset: number, count: number, type: IdxType): IdxData {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, bytes.byteLength - offset);
  switch (type) {
    // A copy, never a view: `bytes` may be a Buffer, whose slice() shares memory with a pool.
    case 'uint8':
      return new Uint8Array(bytes.subarray(offset, offset + count));
    case 'int8':
      return new Int8Array(new Uint8Array(bytes.subarray(offset, offset + count)).buffer);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, false);
      return out;
    }
  }
}

const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** The largest IDX header: 4 bytes, then up to 255 dimensions of 4 bytes. */
const MAX_IDX_HEADER_BYTES = 4 + 4 * 255;

/**
 * The decompressed file of a gzip IDX: the header is inflated first, and then at most the bytes
 * it declares (a 14 MB gzip of 3 GB of zeros behind a small header is refused, not inflated).
 */
function gunzipIdx(bytes: Uint8Array, fileName: string): Uint8Array {
  const what = `readIdx: '${fileName}'`;
  const head = inflateHead('gzip', bytes, MAX_IDX_HEADER_BYTES, what);
  const h = parseIdxHeader(head, fileName);
  return inflateExactly('gzip', bytes, h.dataOffset + h.count * h.bytesPerElement, what);
}

/** Read an IDX file (raw or gzip-compressed) from a path or from bytes in memory. */
export function readIdx(source: string | Uint8Array, name?: string): IdxArray {
  const fileName = name ?? (typeof source === 'string' ? source : '<buffer>');
  const raw = typeof source === 'string' ? readRegularFile(source, 'readIdx') : source;
  const bytes = isGzip(raw) ? gunzipIdx(raw, fileName) : raw;
  const header = parseIdxHeader(bytes, fileName);
  const expected = header.count * header.bytesPerElement;
  const got = bytes.length - header.dataOffset;
  if (got < expected) {
    throw new Error(
      `readIdx: '${fileName}' is truncated: dims [${header.dims.join(', ')}] of ${header.type} need ` +
        `${expected} data bytes, got ${got}`,
    );
  }
  if (got > expected) {
    throw new Error(
      `readIdx: '${fileName}' has ${got - expected} trailing bytes after the ${expected} data bytes that ` +
        `dims [${header.dims.join(', ')}] of ${header.type} need`,
    );
  }
  return { dims: header.dims, type: header.type, data: decodeIdxElements(bytes, header.dataOffset, header.count, header.type) };
}
