import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryDataset } from '../../src/data/dataset.js';
import { fashionMnistDir, loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { IdxFileDataset } from '../../src/data/idx-file-dataset.js';
import { DataLoader } from '../../src/data/loader.js';
import { NpyFileDataset } from '../../src/data/npy-file-dataset.js';
import { encodeNpy } from '../../src/io/npy.js';
import { Generator } from '../../src/random.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-filedata-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Indices with runs of consecutive rows, repeats, and jumps, to exercise coalesced reads. */
const probe = (n: number) => [0, 1, 2, 3, n - 1, 5, 5, 17, 18, 19, 2, n - 2, n - 1, 9];

function readAll(ds: { readRows(i: ArrayLike<number>, out: Float32Array): void; featureShape: number[] }, idx: number[]): Float32Array {
  const out = new Float32Array(idx.length * ds.featureShape.reduce((a, b) => a * b, 1));
  ds.readRows(idx, out);
  return out;
}

/** Build a big-endian IDX file by hand. */
function idxFile(code: number, dims: number[], values: number[], size: number, put: (dv: DataView, at: number, v: number) => void): Buffer {
  const head = 4 + 4 * dims.length;
  const b = Buffer.alloc(head + values.length * size);
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  b[2] = code;
  b[3] = dims.length;
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d));
  values.forEach((v, i) => put(dv, head + i * size, v));
  return b;
}

describe('NpyFileDataset', () => {
  it('returns the same rows as an in-memory dataset, for float32, float64 and uint8', () => {
    const n = 40, shape = [3, 5];
    const f32 = Float32Array.from({ length: n * 15 }, (_, i) => Math.sin(i) * 10);
    const u8 = Uint8Array.from({ length: n * 15 }, (_, i) => (i * 37) % 256);
    const f64 = Float64Array.from({ length: n * 15 }, (_, i) => 1 / (i + 1));
    for (const [name, data, expected] of [
      ['f32', f32, f32],
      ['u8', u8, Float32Array.from(u8, (v) => v / 255)],
      ['f64', f64, Float32Array.from(f64)],
    ] as const) {
      const p = path.join(dir, `${name}.npy`);
      fs.writeFileSync(p, encodeNpy(data, [n, ...shape]));
      const disk = new NpyFileDataset(p);
      const mem = new InMemoryDataset(expected, shape);
      expect(disk.length).toBe(n);
      expect(disk.featureShape).toEqual(shape);
      expect(Array.from(readAll(disk, probe(n)))).toEqual(Array.from(readAll(mem, probe(n))));
      disk.close();
      expect(() => readAll(disk, [0])).toThrow(/is closed/);
    }
    const raw = new NpyFileDataset(path.join(dir, 'u8.npy'), { scaleUint8: false });
    expect(Array.from(readAll(raw, [1]))).toEqual(Array.from(u8.subarray(15, 30)));
    raw.close();
  });

  it('reads rows of an 8 GB (sparse) file without loading it', () => {
    // Header for float32 [2_000_000, 1024] = 8.2e9 data bytes; only a few rows hold data on disk.
    const n = 2_000_000, w = 1024;
    const p = path.join(dir, 'huge.npy');
    // Grow the first axis in place, using the spare spaces NumPy (and encodeNpy) leave for that.
    const header = encodeNpy(new Float32Array(0), [0, w]);
    const text = header.toString('latin1').replace('(0, 1024), }      ', `(${n}, ${w}), }`);
    expect(text.length).toBe(header.length);
    const head = Buffer.from(text, 'latin1');
    const fd = fs.openSync(p, 'w');
    fs.writeSync(fd, head, 0, head.length, 0);
    fs.ftruncateSync(fd, head.length + n * w * 4);
    const row = Float32Array.from({ length: w }, (_, k) => k + 0.5);
    for (const r of [0, 1234567, n - 1]) fs.writeSync(fd, new Uint8Array(row.buffer), 0, w * 4, head.length + r * w * 4);
    fs.closeSync(fd);
    const ds = new NpyFileDataset(p);
    expect(ds.length).toBe(n);
    const got = readAll(ds, [n - 1, 1234567, 5, 0]);
    expect(Array.from(got.subarray(0, w))).toEqual(Array.from(row));
    expect(Array.from(got.subarray(w, 2 * w))).toEqual(Array.from(row));
    expect(got.subarray(2 * w, 3 * w).every((v) => v === 0)).toBe(true);
    expect(Array.from(got.subarray(3 * w))).toEqual(Array.from(row));
    ds.close();
    fs.rmSync(p);
  });

  it('names the file when it is truncated or not a .npy file', () => {
    const p = path.join(dir, 'short.npy');
    const full = encodeNpy(new Float32Array(20), [4, 5]);
    fs.writeFileSync(p, full.subarray(0, full.length - 4));
    expect(() => new NpyFileDataset(p)).toThrow(/NpyFileDataset: '.*short\.npy' is truncated: shape \(4, 5\) of float32 needs 208 bytes, the file has 204/);
    const q = path.join(dir, 'text.npy');
    fs.writeFileSync(q, 'hello world, not numpy');
    expect(() => new NpyFileDataset(q)).toThrow(/'.*text\.npy' is not a \.npy file: bad magic/);
  });
});

describe('IdxFileDataset', () => {
  it('streams the real Fashion-MNIST test images (gunzipped) exactly as loadFashionMnist loads them', () => {
    const imgs = path.join(dir, 't10k-images-idx3-ubyte');
    fs.writeFileSync(imgs, gunzipSync(fs.readFileSync(path.join(fashionMnistDir(), 't10k-images-idx3-ubyte.gz'))));
    const disk = new IdxFileDataset(imgs, { labelsPath: path.join(fashionMnistDir(), 't10k-labels-idx1-ubyte.gz') });
    const ref = loadFashionMnist({ split: 'test' });
    const mem = new InMemoryDataset(ref.images, [28, 28], ref.labels);
    expect(disk.length).toBe(10000);
    expect(disk.featureShape).toEqual([28, 28]);
    const idx = probe(10000);
    expect(Array.from(readAll(disk, idx))).toEqual(Array.from(readAll(mem, idx)));
    // Through a shuffled loader: same batches from disk and from memory.
    const fromDisk = new DataLoader(disk, { batchSize: 500, shuffle: true, generator: new Generator(2) });
    const fromMem = new DataLoader(mem, { batchSize: 500, shuffle: true, generator: new Generator(2) });
    const a = Array.from(fromDisk), b = Array.from(fromMem);
    expect(a.length).toBe(20);
    for (let i = 0; i < a.length; i++) {
      expect(Buffer.from(a[i].x.buffer).equals(Buffer.from(b[i].x.buffer))).toBe(true);
      expect(Array.from(a[i].labels!)).toEqual(Array.from(b[i].labels!));
    }
    disk.close();
  });

  it('decodes big-endian float32 and int16 rows', () => {
    const f = path.join(dir, 'f32.idx');
    const vals = Array.from({ length: 12 }, (_, i) => i * 1.5 - 4);
    fs.writeFileSync(f, idxFile(0x0d, [4, 3], vals, 4, (dv, at, v) => dv.setFloat32(at, v)));
    const ds = new IdxFileDataset(f);
    expect(Array.from(readAll(ds, [3, 0]))).toEqual([...vals.slice(9, 12), ...vals.slice(0, 3)]);
    ds.close();
    const s = path.join(dir, 'i16.idx');
    fs.writeFileSync(s, idxFile(0x0b, [2, 2], [-300, 7, 32767, -1], 2, (dv, at, v) => dv.setInt16(at, v)));
    const ds2 = new IdxFileDataset(s);
    expect(Array.from(readAll(ds2, [1, 0]))).toEqual([32767, -1, -300, 7]);
    ds2.close();
  });

  it('refuses gzip files and mismatched labels, naming the files', () => {
    expect(() => new IdxFileDataset(path.join(fashionMnistDir(), 't10k-labels-idx1-ubyte.gz'))).toThrow(/t10k-labels-idx1-ubyte\.gz' is gzip-compressed and cannot be read by position/);
    const f = path.join(dir, 'three.idx');
    fs.writeFileSync(f, idxFile(0x08, [3, 2], [1, 2, 3, 4, 5, 6], 1, (dv, at, v) => dv.setUint8(at, v)));
    expect(() => new IdxFileDataset(f, { labelsPath: path.join(fashionMnistDir(), 't10k-labels-idx1-ubyte.gz') })).toThrow(/labels '.*t10k-labels-idx1-ubyte\.gz' have dims \[10000\], expected \[3\] to match '.*three\.idx'/);
    const cut = path.join(dir, 'cut.idx');
    fs.writeFileSync(cut, idxFile(0x08, [3, 2], [1, 2, 3, 4, 5, 6], 1, (dv, at, v) => dv.setUint8(at, v)).subarray(0, 15));
    expect(() => new IdxFileDataset(cut)).toThrow(/IdxFileDataset: '.*cut\.idx' is truncated: dims \[3, 2\] of uint8 need 18 bytes, the file has 15/);
  });
});
