import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../src/io/csv.js';
import { tempDir } from './helpers.js';

describe('readCsv', () => {
  it('reads a file with a detected header', () => {
    const dir = tempDir('csv');
    const p = path.join(dir, 'points.csv');
    fs.writeFileSync(p, 'x,y,"label"\r\n1,2.5,0\r\n-3e2,.5,1\r\n\r\n');
    const t = readCsv(p);
    expect(t).toMatchObject({ rows: 2, cols: 3, columns: ['x', 'y', 'label'] });
    expect(Array.from(t.data)).toEqual([1, 2.5, 0, -300, 0.5, 1]);
  });

  it('reads content without a header, with another delimiter and special values', () => {
    const t = readCsv('1;2\n3;NaN\n-inf;+4\n', { delimiter: ';' });
    expect(t.columns).toBeUndefined();
    expect(t.rows).toBe(3);
    expect(t.cols).toBe(2);
    expect(Array.from(t.data.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(Number.isNaN(t.data[3])).toBe(true);
    expect(t.data[4]).toBe(-Infinity);
    expect(t.data[5]).toBe(4);
  });

  it('header: true takes a numeric first line as names; header: false makes a word an error', () => {
    const t = readCsv('10,20\n1,2\n', { header: true });
    expect(t.columns).toEqual(['10', '20']);
    expect(t.rows).toBe(1);
    expect(() => readCsv('a,b\n1,2\n', { header: false, name: 'h.csv' })).toThrow(/'h\.csv' line 1, column 1: 'a' is not a number/);
  });

  it('a string without a newline is a path, and a missing one is an error', () => {
    expect(() => readCsv('no-such-file.csv')).toThrow(/readCsv: no such file 'no-such-file\.csv'/);
  });

  it('names line and column of a bad value and of a ragged row', () => {
    expect(() => readCsv('a,b\n1,2\n3,x7\n', { name: 'bad.csv' })).toThrow(/'bad\.csv' line 3, column 2 \('b'\): 'x7' is not a number/);
    expect(() => readCsv('1,2,3\n4,5\n', { name: 'ragged.csv' })).toThrow(/'ragged\.csv' line 2 has 2 fields, expected 3 like the first row/);
    expect(() => readCsv('1,2\n3,\n', { name: 'empty-field.csv' })).toThrow(/line 2, column 2: '' is not a number/);
  });
});
