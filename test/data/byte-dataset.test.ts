import { describe, expect, it } from 'vitest';
import { ByteDataset } from '../../src/data/byte-dataset.js';
import { gatherRows as gatherRowsJs } from '../../src/backend/js/gather.js';
import { gatherRows } from '../../src/ops/creation.js';
import { getBackend } from '../../src/backend/backend.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { readIdx } from '../../src/io/idx.js';
import { fashionMnistDir } from '../../src/data/fashion-mnist.js';
import { nativeAddon, setNativeThreads, nativeInfo } from '../../src/backend/native/index.js';
import { Generator } from '../../src/random.js';

const addon = nativeAddon();

function bytes(n: number, gen: Generator): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(gen.uniform() * 256);
  return b;
}

describe('ByteDataset', () => {
  it('reads rows in the order asked as byte / divisor rounded to float32', () => {
    const gen = new Generator(3);
    const px = bytes(5 * 6, gen);
    const ds = new ByteDataset(px, [2, 3], { divisor: 255 });
    expect(ds.length).toBe(5);
    expect(ds.featureShape).toEqual([2, 3]);
    const rows = [4, 0, 4, 2];
    const out = new Float32Array(rows.length * 6);
    ds.readRows(rows, out);
    rows.forEach((r, i) => {
      for (let j = 0; j < 6; j++) expect(out[i * 6 + j]).toBe(Math.fround(px[r * 6 + j] / 255));
    });
  });

  it('gives every byte the same float32 on the native and the JavaScript path (divisors 255, 1, 7, 256)', () => {
    const all = Uint8Array.from({ length: 256 }, (_, b) => b);
    for (const d of [255, 1, 7, 256]) {
      const js = new Float32Array(256), fast = new Float32Array(256);
      gatherRowsJs(all, 256, [0], d, js);
      gatherRows(all, 256, Uint32Array.of(0), d, fast, addon ? getBackend('native') : getBackend('js'));
      for (let b = 0; b < 256; b++) expect(js[b]).toBe(Math.fround(b / d));
      expect(Array.from(fast)).toEqual(Array.from(js));
    }
  });

  it.skipIf(addon === null)('native gather matches the JavaScript one on odd row sizes, 1 and 2 threads', () => {
    const gen = new Generator(11);
    const before = nativeInfo().threads;
    try {
      for (const threads of [1, 2]) {
        setNativeThreads(threads);
        for (const rowSize of [1, 3, 17, 784, 4099]) {
          const nRows = 37;
          const src = bytes(nRows * rowSize, gen);
          const rows = Uint32Array.from({ length: 300 }, () => Math.floor(gen.uniform() * nRows));
          const want = new Float32Array(rows.length * rowSize);
          gatherRowsJs(src, rowSize, rows, 255, want);
          const got = new Float32Array(rows.length * rowSize + 5).fill(-1);
          addon!.gatherBytes(src, rowSize, rows, 255, got);
          let mismatches = 0;
          for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) mismatches++;
          expect(mismatches, `rowSize ${rowSize}, ${threads} thread(s)`).toBe(0);
          expect(Array.from(got.subarray(want.length))).toEqual([-1, -1, -1, -1, -1]); // nothing written past the rows
        }
      }
    } finally {
      setNativeThreads(before);
    }
  });

  it.skipIf(addon === null)('native gather refuses rows out of range and a short output, naming both', () => {
    const src = new Uint8Array(4 * 10);
    expect(() => addon!.gatherBytes(src, 10, Uint32Array.of(0, 4), 255, new Float32Array(20))).toThrow(/row 4 at position 1 is out of range \[0, 4\)/);
    expect(() => addon!.gatherBytes(src, 10, Uint32Array.of(0, 1), 255, new Float32Array(19))).toThrow(/out holds 19 values, need 2 rows of 10/);
  });

  it('holds Fashion-MNIST as bytes with the same values as loadFashionMnist', () => {
    const img = readIdx(`${fashionMnistDir()}/t10k-images-idx3-ubyte.gz`);
    const ds = new ByteDataset((img.data as Uint8Array).subarray(0, 50 * 784), [784]);
    const ref = loadFashionMnist({ split: 'test', limit: 50 }).images;
    const rows = Uint32Array.from({ length: 50 }, (_, i) => 49 - i);
    const out = new Float32Array(50 * 784);
    ds.readRows(rows, out);
    for (let i = 0; i < 50; i++) expect(out.subarray(i * 784, (i + 1) * 784)).toEqual(ref.subarray((49 - i) * 784, (50 - i) * 784));
  });

  it('rejects bad shapes, divisors, labels and indices with the class name and the numbers', () => {
    expect(() => new ByteDataset(new Uint8Array(10), [3])).toThrow(/ByteDataset: 10 bytes do not split into rows of shape \[3\]/);
    expect(() => new ByteDataset(new Uint8Array(9), [3], { divisor: 0 })).toThrow(/divisor must be a finite non-zero number/);
    expect(() => new ByteDataset(new Uint8Array(9), [3], { labels: [1, 2] })).toThrow(/2 labels for 3 rows/);
    const ds = new ByteDataset(new Uint8Array(9), [3], { labels: [5, 6, 7] });
    expect(() => ds.readRows([3], new Float32Array(3))).toThrow(/ByteDataset.readRows: index 3 at position 0 is out of range \[0, 3\)/);
    expect(() => ds.readRows([0, 1], new Float32Array(5))).toThrow(/out holds 5 values, need 2 rows/);
    const labels = new Int32Array(2);
    ds.readLabels!([2, 0], labels);
    expect(Array.from(labels)).toEqual([7, 5]);
    expect(() => ds.readLabels!([3], labels)).toThrow(/ByteDataset\.readLabels: index 3 out of range \[0, 3\)/);
    expect(new ByteDataset(new Uint8Array(9), [3]).readLabels).toBeUndefined();
  });
});
