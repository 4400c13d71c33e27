// DataTransform against values computed here, and readLabelsFile on names and integers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataTransform } from '../../src/data/transform.js';
import { readLabelsFile } from '../../src/data/data-file.js';
import { tempDir } from '../io/helpers.js';

describe('DataTransform', () => {
  const rows = Float32Array.from([1, 10, 3, 30, 5, 20]);   // 3 rows × 2 features

  it('auto: uint8 divides by 255, [0, 1] data stays, anything else is standardized', () => {
    expect(DataTransform.fit('auto', Uint8Array.from([0, 255]), 1).spec).toEqual({ kind: 'divide', divisor: 255 });
    expect(DataTransform.fit('auto', Float32Array.from([0, 0.5, 1]), 1).spec).toEqual({ kind: 'none' });
    const t = DataTransform.fit('auto', rows, 2);
    expect(t.spec.kind).toBe('standardize');
    // feature 0: mean 3, population std sqrt(8/3); feature 1: mean 20, std sqrt(200/3)
    const y = t.apply(rows);
    expect(y[0]).toBeCloseTo((1 - 3) / Math.sqrt(8 / 3), 6);
    expect(y[5]).toBeCloseTo(0, 6);
    expect(y[3]).toBeCloseTo(10 / Math.sqrt(200 / 3), 6);
    expect(t.unitRange).toBe(false);
  });

  it('minmax maps each feature of the training rows onto [0, 1]; invert undoes it', () => {
    const t = DataTransform.fit('minmax', rows, 2);
    expect(t.spec).toEqual({ kind: 'minmax', min: [1, 10], range: [4, 20] });
    expect(Array.from(t.apply(rows))).toEqual([0, 0, 0.5, 1, 1, 0.5]);
    expect(Array.from(t.invert(t.apply(rows)))).toEqual(Array.from(rows));
    expect(t.unitRange).toBe(true);
  });

  it('refuses a malformed stored transform by field', () => {
    expect(() => new DataTransform({ kind: 'standardize', mean: [0], std: [0] })).toThrow(/'std' must be a non-empty list of finite positive numbers/);
    expect(() => new DataTransform({ kind: 'scale' } as never)).toThrow(/kind must be one of none, divide, minmax, standardize/);
  });
});

describe('readLabelsFile', () => {
  it('reads names (sorted into class indices) and integers with a header row', () => {
    const dir = tempDir('labels');
    fs.writeFileSync(path.join(dir, 'names.csv'), 'species\ncat\ndog\ncat\nbird\n');
    expect(readLabelsFile(path.join(dir, 'names.csv'), 4, 'x.csv')).toEqual({ labels: Int32Array.from([1, 2, 1, 0]), classNames: ['bird', 'cat', 'dog'] });
    fs.writeFileSync(path.join(dir, 'ints.csv'), 'label\n3\n0\n');
    expect(readLabelsFile(path.join(dir, 'ints.csv'), 2, 'x.csv').labels).toEqual(Int32Array.from([3, 0]));
    expect(() => readLabelsFile(path.join(dir, 'ints.csv'), 3, 'x.csv')).toThrow(/has 2 labels, but the data 'x\.csv' has 3 rows/);
    fs.writeFileSync(path.join(dir, 'neg.csv'), '1\n-2\n');
    expect(() => readLabelsFile(path.join(dir, 'neg.csv'), 2, 'x.csv')).toThrow(/neg\.csv' row 2: -2 is not a class label/);
  });
});

describe('DataTransform.fitChunks (the streamed fit)', () => {
  it('chunks of rows give exactly the fit of the whole array, for every mode', () => {
    let s = 12345;
    const next = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
    const rowSize = 5, n = 97;
    const values = Float32Array.from({ length: n * rowSize }, (_, i) => 1e3 * next() + (i % rowSize) * 0.1);
    // Uneven chunks of whole rows: 1, 7, 30, then the rest.
    const cuts = [0, 1, 8, 38, n];
    const chunks = () => cuts.slice(1).map((end, k) => values.subarray(cuts[k] * rowSize, end * rowSize));
    for (const mode of ['auto', 'none', 'minmax', 'standardize'] as const) {
      expect(DataTransform.fitChunks(mode, false, rowSize, chunks).spec).toEqual(DataTransform.fit(mode, values, rowSize).spec);
    }
    expect(DataTransform.fit('standardize', values, rowSize).spec.kind).toBe('standardize');
    expect(DataTransform.fitChunks('auto', true, rowSize, () => { throw new Error('uint8 auto needs no pass'); }).spec).toEqual({ kind: 'divide', divisor: 255 });
  });
});
