import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, readNpy, writeNpy } from '../../src/io/npy.js';
import { FIXTURES, tempDir } from './helpers.js';

const fixture = (name: string) => path.join(FIXTURES, name);

/** A minimal .npy reader written from the format description, independent of src/io/npy.ts. */
function parseNpyIndependently(bytes: Uint8Array): { descr: string; fortran: boolean; shape: number[]; body: Uint8Array; headerEnd: number } {
  expect(Array.from(bytes.subarray(0, 6))).toEqual([0x93, 78, 85, 77, 80, 89]);
  const major = bytes[6];
  const hlen = major === 1 ? bytes[8] + 256 * bytes[9] : new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const text = new TextDecoder('latin1').decode(bytes.subarray(start, start + hlen));
  expect(text.endsWith('\n')).toBe(true);
  // The header is a Python literal; turn it into JSON.
  const json = text.trim().replace(/'/g, '"').replace(/\(/g, '[').replace(/\)/g, ']').replace(/False/g, 'false').replace(/True/g, 'true').replace(/,\s*([}\]])/g, '$1');
  const d = JSON.parse(json) as { descr: string; fortran_order: boolean; shape: number[] };
  return { descr: d.descr, fortran: d.fortran_order, shape: d.shape, body: bytes.subarray(start + hlen), headerEnd: start + hlen };
}

describe('readNpy on files written by NumPy', () => {
  it('reads <f4, <f8, |u1, 0-d, empty and version 2.0 arrays', () => {
    const a = readNpy(fixture('f32-2x3.npy'));
    expect(a).toMatchObject({ shape: [2, 3], dtype: 'float32' });
    expect(Array.from(a.data)).toEqual([-1, -0.5, 0, 0.5, 1, 1.5]);
    const b = readNpy(fixture('f64-4.npy'));
    expect(b.dtype).toBe('float64');
    expect(Array.from(b.data)).toEqual([1.5, -2.25, 1e300, Math.PI]);
    const c = readNpy(fixture('u8-2x2x2.npy'));
    expect(c).toMatchObject({ shape: [2, 2, 2], dtype: 'uint8' });
    expect(Array.from(c.data)).toEqual([0, 30, 60, 90, 120, 150, 180, 210]);
    const s = readNpy(fixture('f32-scalar.npy'));
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data)).toEqual([7.25]);
    const e = readNpy(fixture('f32-0x5.npy'));
    expect(e.shape).toEqual([0, 5]);
    expect(e.data.length).toBe(0);
    const v2 = readNpy(fixture('f32-v2-3x2.npy'));
    expect(v2.shape).toEqual([3, 2]);
    expect(Array.from(v2.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('encodeNpy writes the same bytes as np.save', () => {
    for (const name of ['f32-2x3.npy', 'f64-4.npy', 'u8-2x2x2.npy', 'f32-scalar.npy', 'f32-0x5.npy']) {
      const theirs = fs.readFileSync(fixture(name));
      const parsed = readNpy(theirs, name);
      const ours = encodeNpy(parsed.data, parsed.shape);
      expect(ours.equals(theirs), name).toBe(true);
    }
  });

  it('rejects Fortran order and unsupported dtypes by name', () => {
    expect(() => readNpy(fixture('fortran-2x3.npy'))).toThrow(/fortran-2x3\.npy' is stored in Fortran \(column-major\) order/);
    const i4 = readNpy(fixture('i4-3.npy'));
    expect(i4.dtype).toBe('int32');
    expect(Array.from(i4.data)).toEqual([1, 2, 3]);
    const i2 = Buffer.from(fs.readFileSync(fixture('i4-3.npy')).toString('latin1').replace("'<i4'", "'<i2'"), 'latin1');
    expect(() => readNpy(i2, 'i2.npy')).toThrow(/i2\.npy' has dtype '<i2'; supported: '<f4'/);
  });
});

describe('encodeNpy / writeNpy', () => {
  it('round-trips and is read by an independent parser; data starts on a multiple of 64', () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => i * 0.25 - 3);
    const bytes = encodeNpy(data, [2, 3, 4]);
    const p = parseNpyIndependently(bytes);
    expect(p).toMatchObject({ descr: '<f4', fortran: false, shape: [2, 3, 4] });
    expect(p.headerEnd % 64).toBe(0);
    expect(Array.from(new Float32Array(new Uint8Array(p.body).buffer))).toEqual(Array.from(data));
    const back = readNpy(bytes);
    expect(back.shape).toEqual([2, 3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));

    const one = encodeNpy(Float64Array.from([1, 2, 3]), [3]);
    expect(parseNpyIndependently(one)).toMatchObject({ descr: '<f8', shape: [3] });
    expect(parseNpyIndependently(encodeNpy(Uint8Array.from([9]), [1, 1]))).toMatchObject({ descr: '|u1', shape: [1, 1] });
  });

  it('reads a header built by hand with <u1 and a minimal (unpadded) layout', () => {
    const dict = "{'descr': '<u1', 'fortran_order': False, 'shape': (2, 2), }\n";
    const head = new Uint8Array(10 + dict.length);
    head.set([0x93, 78, 85, 77, 80, 89, 1, 0, dict.length & 255, dict.length >> 8]);
    head.set(new TextEncoder().encode(dict), 10);
    const file = new Uint8Array(head.length + 4);
    file.set(head);
    file.set([5, 6, 7, 8], head.length);
    const r = readNpy(file, 'hand.npy');
    expect(r).toMatchObject({ dtype: 'uint8', shape: [2, 2] });
    expect(Array.from(r.data)).toEqual([5, 6, 7, 8]);
  });

  it('writeNpy writes atomically and the file reads back', () => {
    const dir = tempDir('npy');
    const file = path.join(dir, 'w.npy');
    writeNpy(file, Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
    expect(fs.readdirSync(dir)).toEqual(['w.npy']);
    expect(Array.from(readNpy(file).data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects bad magic, truncation, trailing bytes and shape/size mismatches', () => {
    expect(() => readNpy(Buffer.from('PK\x03\x04 not numpy at all'), 'x.zip')).toThrow(/'x\.zip' is not a \.npy file: bad magic, found "PK\\x03\\x04 n", expected "\\x93NUMPY"/);
    const good = fs.readFileSync(fixture('f32-2x3.npy'));
    expect(() => readNpy(good.subarray(0, good.length - 5), 'cut.npy')).toThrow(/'cut\.npy' is truncated: shape \(2, 3\) of float32 needs 24 data bytes, got 19/);
    expect(() => readNpy(good.subarray(0, 40), 'head.npy')).toThrow(/'head\.npy' is truncated: its header is 118 bytes long, only 30 present/);
    expect(() => readNpy(Buffer.concat([good, Buffer.alloc(4)]), 'long.npy')).toThrow(/'long\.npy' has 4 bytes past the 24/);
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/encodeNpy: shape \[2, 3\] holds 6 elements but the data has 5/);
    expect(() => encodeNpy(new Float32Array(0), [-1])).toThrow(/encodeNpy: bad shape \[-1\]/);
  });
});
