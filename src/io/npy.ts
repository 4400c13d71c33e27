// NumPy's .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
//   6 bytes   magic "\x93NUMPY"
//   2 bytes   version major, minor (1.0: u16 LE header length; 2.0 and 3.0: u32 LE header length)
//   header    a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//             padded with spaces and ended by '\n' so that the data starts on a multiple of 64
//   data      prod(shape) elements, here always little-endian and C (row-major) order.

import { parsePyLiteral, type PyValue } from './py-literal.js';
import { readRegularFile } from './read-file.js';
import { writeFileAtomic } from './atomic.js';

export type NpyDtype = 'float32' | 'float64' | 'uint8' | 'int32' | 'int64' | 'bool';
/** bool arrays are read as a Uint8Array of 0/1; int64 as a Float64Array of its values (exact to 2^53). */
export type NpyData = Float32Array | Float64Array | Uint8Array | Int32Array;

export interface NpyArray {
  shape: number[];
  dtype: NpyDtype;
  data: NpyData;
}

export interface NpyHeader {
  shape: number[];
  dtype: NpyDtype;
  bytesPerElement: number;
  /** Byte offset of the first element. */
  dataOffset: number;
  /** prod(shape) (1 for a 0-d array). */
  count: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93 N U M P Y

const DESCR_TO_DTYPE: Readonly<Record<string, [NpyDtype, number]>> = {
  '<f4': ['float32', 4],
  '<f8': ['float64', 8],
  '|u1': ['uint8', 1],
  '<u1': ['uint8', 1],
  '>u1': ['uint8', 1],
  '<i4': ['int32', 4],
  '<i8': ['int64', 8],
  '|b1': ['bool', 1],
};

const DTYPE_TO_DESCR: Record<NpyDtype, string> = { float32: '<f4', float64: '<f8', uint8: '|u1', int32: '<i4', int64: '<i8', bool: '|b1' };

/**
 * The longest header read: NumPy's np.load refuses headers over 10,000 bytes by default
 * (max_header_size, since 1.24) because literal_eval of a huge one is slow; what np.save writes
 * for plain arrays is 128 bytes or so. A v2/v3 preamble could otherwise declare a 4 GiB header.
 */
export const MAX_NPY_HEADER_BYTES = 10_000;

const HEADER_KEYS = ['descr', 'fortran_order', 'shape'];

/** The header dict's fields, checked: exactly descr (a string), fortran_order (False), shape (a tuple of ints ≥ 0). */
function headerFields(text: string, name: string): { descr: string; shape: number[] } {
  const bad = (what: string): never => { throw new Error(`readNpy: '${name}' has a malformed header (${what}): ${text.trim().slice(0, 300)}`); };
  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (err) {
    return bad(`not a Python literal: ${(err as Error).message}`);
  }
  if (!(dict instanceof Map)) return bad(`expected a dict`);
  const keys = [...dict.keys()].map(String).sort();
  if (keys.join() !== HEADER_KEYS.join()) bad(`expected exactly the keys 'descr', 'fortran_order', 'shape', found ${keys.map((k) => `'${k}'`).join(', ') || 'none'}`);
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') bad(`'descr' must be a string such as '<f4'; structured dtypes are not supported`);
  if (typeof fortran !== 'boolean') bad(`'fortran_order' must be True or False`);
  if (fortran === true) {
    throw new Error(`readNpy: '${name}' is stored in Fortran (column-major) order; only C order is supported (save with np.ascontiguousarray)`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    bad(`'shape' must be a tuple of non-negative integers`);
  }
  return { descr: descr as string, shape: shape as number[] };
}

function printable(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
}

/**
 * Parse a .npy header. `bytes` must start at the file's first byte and hold the whole header
 * (the first 12 bytes tell how long it is: see `npyHeaderLength`).
 */
export function parseNpyHeader(bytes: Uint8Array, name: string): NpyHeader {
  const headerStart = npyHeaderStart(bytes, name);
  const headerLen = npyHeaderLength(bytes, name);
  const dataOffset = headerStart + headerLen;
  if (headerLen > MAX_NPY_HEADER_BYTES) {
    throw new Error(`readNpy: '${name}' declares a ${headerLen}-byte header, over the ${MAX_NPY_HEADER_BYTES}-byte limit (NumPy's own default max_header_size)`);
  }
  if (bytes.length < dataOffset) {
    throw new Error(`readNpy: '${name}' is truncated: its header is ${headerLen} bytes long, only ${bytes.length - headerStart} present`);
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + headerStart, headerLen).toString('latin1');
  const { descr, shape } = headerFields(text, name);
  const entry = Object.hasOwn(DESCR_TO_DTYPE, descr) ? DESCR_TO_DTYPE[descr] : undefined;
  if (!entry) {
    throw new Error(`readNpy: '${name}' has dtype '${descr}'; supported: '<f4' (float32), '<f8' (float64), '|u1' (uint8), '<i4' (int32), '<i8' (int64), '|b1' (bool)`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  return { shape, dtype: entry[0], bytesPerElement: entry[1], dataOffset, count };
}

/** Offset of the header text: 10 for version 1.0, 12 for 2.0/3.0. Checks magic and version. */
function npyHeaderStart(bytes: Uint8Array, name: string): number {
  if (bytes.length < 10) {
    throw new Error(`readNpy: '${name}' is truncated: expected at least 10 bytes of preamble, got ${bytes.length}`);
  }
  for (let i = 0; i < 6; i++) {
    if (bytes[i] !== MAGIC[i]) {
      throw new Error(`readNpy: '${name}' is not a .npy file: bad magic, found "${printable(bytes.subarray(0, 6))}", expected "\\x93NUMPY"`);
    }
  }
  const major = bytes[6];
  if (major === 1) return 10;
  if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`readNpy: '${name}' is truncated inside its version ${major}.0 preamble`);
    return 12;
  }
  throw new Error(`readNpy: '${name}' has format version ${major}.${bytes[7]}; supported: 1.0, 2.0, 3.0`);
}

/** Length of the header text, from the preamble. */
function npyHeaderLength(bytes: Uint8Array, name: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return npyHeaderStart(bytes, name) === 10 ? view.getUint16(8, true) : view.getUint32(8, true);
}

/** Read a .npy file (C order, '<f4' / '<f8' / '|u1') from a path or from bytes in memory. */
export function readNpy(source: string | Uint8Array, name?: string): NpyArray {
  const fileName = name ?? (typeof source === 'string' ? source : '<buffer>');
  const bytes = typeof source === 'string' ? readRegularFile(source, 'readNpy') : source;
  const h = parseNpyHeader(bytes, fileName);
  const expected = h.count * h.bytesPerElement;
  const got = bytes.length - h.dataOffset;
  if (got < expected) {
    throw new Error(`readNpy: '${fileName}' is truncated: shape (${h.shape.join(', ')}) of ${h.dtype} needs ${expected} data bytes, got ${got}`);
  }
  if (got > expected) {
    throw new Error(`readNpy: '${fileName}' has ${got - expected} bytes past the ${expected} that shape (${h.shape.join(', ')}) of ${h.dtype} needs`);
  }
  // Copy into a fresh, aligned buffer (the source offset may not be a multiple of 8).
  const copy = new Uint8Array(expected);
  copy.set(bytes.subarray(h.dataOffset, h.dataOffset + expected));
  return { shape: h.shape, dtype: h.dtype, data: typedView(h.dtype, copy.buffer, fileName) };
}

/** The typed array of `dtype` over a little-endian buffer. */
function typedView(dtype: NpyDtype, buffer: ArrayBuffer, fileName: string): NpyData {
  switch (dtype) {
    case 'float32': return new Float32Array(buffer);
    case 'float64': return new Float64Array(buffer);
    case 'int32': return new Int32Array(buffer);
    case 'int64': {
      // NumPy's default integer; a double holds it exactly up to 2^53, which labels and counts never pass.
      const wide = new BigInt64Array(buffer);
      const out = new Float64Array(wide.length);
      for (let i = 0; i < wide.length; i++) {
        out[i] = Number(wide[i]);
        if (!Number.isSafeInteger(out[i])) throw new Error(`readNpy: '${fileName}' element ${i} is ${wide[i]}, beyond the ±2^53 an int64 is read exactly to`);
      }
      return out;
    }
    case 'uint8': case 'bool': return new Uint8Array(buffer);
  }
}

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int32Array) return 'int32';
  throw new Error(`encodeNpy: unsupported array type; expected Float32Array, Float64Array, Uint8Array or Int32Array`);
}

/** The header dict NumPy writes, e.g. "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }". */
function headerDict(descr: string, shape: readonly number[]): string {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
}

/**
 * Encode a C-order array as a version 1.0 .npy file, byte for byte as NumPy's np.save writes it:
 * the dict, then 21 − len(str(shape[0])) spare spaces (NumPy leaves room to grow the first axis
 * in place), then spaces and '\n' so the data starts at a multiple of 64.
 */
export function encodeNpy(data: NpyData, shape: readonly number[]): Buffer {
  const dtype = dtypeOf(data);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`encodeNpy: bad shape [${shape.join(', ')}]: dimensions must be non-negative integers`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new Error(`encodeNpy: shape [${shape.join(', ')}] holds ${count} elements but the data has ${data.length}`);
  }
  const GROWTH_AXIS_MAX_DIGITS = 21;
  const spare = shape.length > 0 ? GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length : 0;
  const dict = headerDict(DTYPE_TO_DESCR[dtype], shape) + ' '.repeat(Math.max(0, spare));
  // NumPy: padlen = 64 − ((10 + len(dict) + 1) mod 64), which is 64 (not 0) when already aligned.
  const hlen = dict.length + 1;
  const padlen = 64 - ((10 + hlen) % 64);
  const headerLen = hlen + padlen;
  if (headerLen > 0xffff) throw new Error(`encodeNpy: header of ${headerLen} bytes does not fit version 1.0`);
  const total = 10 + headerLen;
  const out = Buffer.alloc(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(headerLen, 8);
  out.write(dict + ' '.repeat(padlen) + '\n', 10, 'latin1');
  // Our typed arrays are little-endian on every platform Node runs on (x86, ARM).
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

/** Write a .npy file atomically. */
export function writeNpy(filePath: string, data: NpyData, shape: readonly number[]): void {
  writeFileAtomic(filePath, encodeNpy(data, shape));
}
