import { describe, expect, it } from 'vitest';
import { InMemoryDataset } from '../../src/data/dataset.js';
import { DataLoader, type Batch } from '../../src/data/loader.js';
import { Generator } from '../../src/random.js';

/** n rows of `width` values; row i is all i + k/1000 for column k, so a row names its index. */
function rowsNamingTheirIndex(n: number, width: number): Float32Array {
  const d = new Float32Array(n * width);
  for (let i = 0; i < n; i++) for (let k = 0; k < width; k++) d[i * width + k] = i + k / 1000;
  return d;
}

const collect = (loader: Iterable<Batch>) => Array.from(loader);

describe('InMemoryDataset', () => {
  it('reads rows and labels by index, and rejects bad shapes and indices', () => {
    const ds = new InMemoryDataset(rowsNamingTheirIndex(5, 3), [3], [4, 3, 2, 1, 0]);
    const out = new Float32Array(6);
    ds.readRows([4, 1], out);
    expect(Array.from(out)).toEqual([4, 4.001, 4.002, 1, 1.001, 1.002].map(Math.fround));
    const labels = new Int32Array(2);
    ds.readLabels!([4, 1], labels);
    expect(Array.from(labels)).toEqual([0, 3]);
    expect(() => new InMemoryDataset(new Float32Array(10), [3])).toThrow(/InMemoryDataset: 10 values do not split into rows of shape \[3\]/);
    expect(() => new InMemoryDataset(new Float32Array(6), [3], [1])).toThrow(/InMemoryDataset: 1 labels for 2 rows/);
    expect(() => ds.readRows([5], new Float32Array(3))).toThrow(/InMemoryDataset\.readRows: index 5 at position 0 is out of range \[0, 5\)/);
  });
});

describe('DataLoader', () => {
  const n = 103;
  const ds = new InMemoryDataset(rowsNamingTheirIndex(n, 4), [2, 2], Array.from({ length: n }, (_, i) => i % 10));

  it('visits every row exactly once per shuffled epoch, with a partial last batch', () => {
    const loader = new DataLoader(ds, { batchSize: 10, shuffle: true, generator: new Generator(7) });
    expect(loader.length).toBe(11);
    const orders: number[][] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      const batches = collect(loader);
      expect(batches.map((b) => b.size)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
      const seen = batches.flatMap((b) => Array.from(b.indices));
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      for (const b of batches) {
        // x holds the rows named by indices; labels follow them; no noise, no target: y is null
        for (let r = 0; r < b.size; r++) expect(b.x[r * 4]).toBe(b.indices[r]);
        expect(Array.from(b.labels!)).toEqual(Array.from(b.indices, (i) => i % 10));
        expect(b.y).toBeNull();
      }
      orders.push(seen);
    }
    expect(orders[0]).not.toEqual(orders[1]); // a new permutation each epoch
    expect(orders[0]).not.toEqual(Array.from({ length: n }, (_, i) => i));
    expect(loader.epoch).toBe(2);
  });

  it('without shuffle goes in order; dropLast drops the partial batch', () => {
    const plain = collect(new DataLoader(ds, { batchSize: 25 }));
    expect(plain.map((b) => b.size)).toEqual([25, 25, 25, 25, 3]);
    expect(plain.flatMap((b) => Array.from(b.indices))).toEqual(Array.from({ length: n }, (_, i) => i));
    const dropped = collect(new DataLoader(ds, { batchSize: 25, dropLast: true, shuffle: true, generator: new Generator(1) }));
    expect(dropped.map((b) => b.size)).toEqual([25, 25, 25, 25]);
    expect(new Set(dropped.flatMap((b) => Array.from(b.indices))).size).toBe(100);
  });

  it('is reproducible from the same seed and differs with another', () => {
    const order = (seed: number) => collect(new DataLoader(ds, { batchSize: 16, shuffle: true, generator: new Generator(seed) })).flatMap((b) => Array.from(b.indices));
    expect(order(42)).toEqual(order(42));
    expect(order(42)).not.toEqual(order(43));
    // The order is the generator's own permutation, so it can be predicted independently.
    expect(order(42)).toEqual(Array.from(new Generator(42).permutation(n)));
  });

  it('resumes exactly from state() mid-epoch, through JSON, noise included', () => {
    const opts = { batchSize: 8, shuffle: true, noise: { kind: 'gaussian' as const, std: 0.1 } };
    const a = new DataLoader(ds, { ...opts, generator: new Generator(5) });
    collect(a); // one whole epoch
    const it = a[Symbol.iterator]();
    for (let i = 0; i < 4; i++) it.next();
    const saved = JSON.stringify(a.state());
    const rest: Batch[] = [];
    for (let r = it.next(); !r.done; r = it.next()) rest.push(r.value);
    const nextEpochA = collect(a);

    const b = new DataLoader(ds, { ...opts, generator: new Generator(999) });
    b.setState(JSON.parse(saved));
    const restB = collect(b);
    expect(restB.length).toBe(rest.length);
    restB.forEach((batch, i) => {
      expect(Array.from(batch.indices)).toEqual(Array.from(rest[i].indices));
      expect(Array.from(batch.x)).toEqual(Array.from(rest[i].x));
    });
    expect(b.epoch).toBe(2);
    expect(collect(b).map((x) => Array.from(x.x))).toEqual(nextEpochA.map((x) => Array.from(x.x)));
  });

  it('a break keeps the epoch in progress; reset() abandons it', () => {
    const loader = new DataLoader(ds, { batchSize: 10 });
    for (const b of loader) { expect(b.indices[0]).toBe(0); break; }
    expect(collect(loader)[0].indices[0]).toBe(10);
    for (const _ of loader) break;
    loader.reset();
    expect(collect(loader)[0].indices[0]).toBe(0);
  });

  it('takes y from a target dataset (same indices)', () => {
    const target = new InMemoryDataset(Float32Array.from({ length: n }, (_, i) => -i), [1]);
    for (const b of new DataLoader(ds, { batchSize: 20, shuffle: true, generator: new Generator(3), target })) {
      expect(Array.from(b.y!)).toEqual(Array.from(b.indices, (i) => -i));
    }
    expect(() => new DataLoader(ds, { batchSize: 4, target: new InMemoryDataset(new Float32Array(3), [1]) })).toThrow(/target has 3 rows but the dataset has 103/);
  });
});

describe('DataLoader noise', () => {
  const rows = 200, width = 500; // 100,000 values per epoch
  const constant = (v: number) => new InMemoryDataset(new Float32Array(rows * width).fill(v), [width]);
  const everything = (ds: InMemoryDataset, noise: ConstructorParameters<typeof DataLoader>[1]['noise']) => {
    const batches = collect(new DataLoader(ds, { batchSize: 64, shuffle: true, generator: new Generator(11), noise }));
    const x = batches.flatMap((b) => Array.from(b.x));
    const y = batches.flatMap((b) => Array.from(b.y!));
    return { x, y };
  };
  // For a fraction over N = 1e5 trials the standard error is sqrt(p(1-p)/N) ≈ 0.0015: allow 4 of them.

  it('masking p = 0.3 zeroes about 30% and leaves the rest; y is the clean input', () => {
    const { x, y } = everything(constant(1), { kind: 'masking', p: 0.3 });
    const zeros = x.filter((v) => v === 0).length / x.length;
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.006);
    expect(x.every((v) => v === 0 || v === 1)).toBe(true);
    expect(y.every((v) => v === 1)).toBe(true);
  });

  it('salt-and-pepper p = 0.2 sets about 10% to 0 and 10% to 1', () => {
    const { x } = everything(constant(0.5), { kind: 'salt-pepper', p: 0.2 });
    const lo = x.filter((v) => v === 0).length / x.length;
    const hi = x.filter((v) => v === 1).length / x.length;
    expect(Math.abs(lo - 0.1)).toBeLessThan(0.004);
    expect(Math.abs(hi - 0.1)).toBeLessThan(0.004);
    expect(x.filter((v) => v === 0.5).length / x.length).toBeCloseTo(0.8, 1);
  });

  it('gaussian std = 0.5 adds zero-mean noise of that spread; clip bounds it', () => {
    const { x, y } = everything(constant(2), { kind: 'gaussian', std: 0.5 });
    const noise = x.map((v, i) => v - y[i]);
    const mean = noise.reduce((a, b) => a + b, 0) / noise.length;
    const std = Math.sqrt(noise.reduce((a, b) => a + (b - mean) ** 2, 0) / noise.length);
    // standard error of the mean 0.5/sqrt(1e5) ≈ 0.0016; of the std ≈ 0.5/sqrt(2e5) ≈ 0.0011
    expect(Math.abs(mean)).toBeLessThan(0.007);
    expect(Math.abs(std - 0.5)).toBeLessThan(0.005);
    const clipped = everything(constant(0.9), { kind: 'gaussian', std: 0.5, clip: [0, 1] }).x;
    expect(Math.min(...clipped)).toBe(0);
    expect(Math.max(...clipped)).toBe(1);
  });

  it('rejects bad noise settings', () => {
    const ds = constant(0);
    expect(() => new DataLoader(ds, { batchSize: 4, noise: { kind: 'masking', p: 1.5 } })).toThrow(/masking p must be in \[0, 1\], got 1\.5/);
    expect(() => new DataLoader(ds, { batchSize: 4, noise: { kind: 'gaussian', std: -1 } })).toThrow(/gaussian std must be a finite number >= 0, got -1/);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
  });
});
