import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readIdx } from '../../src/io/idx.js';
import { tempDir } from './helpers.js';

/** An IDX file built by hand from the format description (big-endian everything). */
function buildIdx(typeCode: number, dims: number[], values: number[], bytesPer: number, put: (dv: DataView, at: number, v: number) => void): Uint8Array {
  const head = 4 + 4 * dims.length;
  const buf = new Uint8Array(head + values.length * bytesPer);
  const dv = new DataView(buf.buffer);
  buf[2] = typeCode;
  buf[3] = dims.length;
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  values.forEach((v, i) => put(dv, head + i * bytesPer, v));
  return buf;
}

describe('readIdx', () => {
  it('reads every element type, big-endian, raw and gzipped', () => {
    const cases: [number, string, number, (dv: DataView, at: number, v: number) => void, number[]][] = [
      [0x08, 'uint8', 1, (dv, at, v) => dv.setUint8(at, v), [0, 1, 127, 128, 255, 42]],
      [0x09, 'int8', 1, (dv, at, v) => dv.setInt8(at, v), [-128, -1, 0, 1, 127, 5]],
      [0x0b, 'int16', 2, (dv, at, v) => dv.setInt16(at, v, false), [-32768, -2, 0, 300, 32767, 7]],
      [0x0c, 'int32', 4, (dv, at, v) => dv.setInt32(at, v, false), [-2147483648, -70000, 0, 65536, 2147483647, 9]],
      [0x0d, 'float32', 4, (dv, at, v) => dv.setFloat32(at, v, false), [0.5, -1.25, 3.0e38, 1e-40, 0, 2]],
      [0x0e, 'float64', 8, (dv, at, v) => dv.setFloat64(at, v, false), [Math.PI, -1e300, 5e-324, 0, 1, 2]],
    ];
    for (const [code, type, size, put, values] of cases) {
      const file = buildIdx(code, [2, 3], values, size, put);
      for (const bytes of [file, gzipSync(file)]) {
        const r = readIdx(bytes, `case-${type}`);
        expect(r.type).toBe(type);
        expect(r.dims).toEqual([2, 3]);
        const want = type === 'float32' ? values.map((v) => Math.fround(v)) : values;
        expect(Array.from(r.data)).toEqual(want);
      }
    }
  });

  it('reads from a path', () => {
    const dir = tempDir('idx');
    const p = path.join(dir, 'labels-idx1-ubyte.gz');
    fs.writeFileSync(p, gzipSync(buildIdx(0x08, [4], [3, 1, 4, 1], 1, (dv, at, v) => dv.setUint8(at, v))));
    const r = readIdx(p);
    expect(r.dims).toEqual([4]);
    expect(Array.from(r.data)).toEqual([3, 1, 4, 1]);
  });

  it('rejects a wrong magic, naming the file, what it found and what it expected', () => {
    const bad = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]);
    expect(() => readIdx(bad, 'archive.zip')).toThrow(/'archive\.zip'.*bad magic, found bytes 50 4b 03 04, expected 00 00/);
  });

  it('rejects an unknown type code', () => {
    const bad = Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 1, 0]);
    expect(() => readIdx(bad, 'weird.idx')).toThrow(/'weird\.idx' has unknown IDX type code 0x0a/);
  });

  it('rejects truncated data with expected and actual byte counts', () => {
    const full = buildIdx(0x0c, [3], [1, 2, 3], 4, (dv, at, v) => dv.setInt32(at, v, false));
    const cut = full.subarray(0, full.length - 3);
    expect(() => readIdx(cut, 'cut.idx')).toThrow(/'cut\.idx' is truncated: dims \[3\] of int32 need 12 data bytes, got 9/);
    expect(() => readIdx(gzipSync(cut), 'cut.idx.gz')).toThrow(/'cut\.idx\.gz' is truncated.*need 12 data bytes, got 9/);
    expect(() => readIdx(full.subarray(0, 6), 'head.idx')).toThrow(/'head\.idx' is truncated: its header declares 1 dimensions, needing 8 bytes, got 6/);
  });

  it('rejects a damaged gzip stream, naming the file', () => {
    const gz = gzipSync(buildIdx(0x08, [100], new Array(100).fill(7), 1, (dv, at, v) => dv.setUint8(at, v)));
    expect(() => readIdx(gz.subarray(0, gz.length - 10), 'damaged.gz')).toThrow(/'damaged\.gz' looks gzip-compressed but could not be decompressed/);
  });
});
