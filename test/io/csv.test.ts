import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsv } from '../../src/io/csv.js';
import { tempDir } from './helpers.js';

describe('readCsv and parseCsv', () => {
  it('reads a file with a detected header', () => {
    const dir = tempDir('csv');
    const p = path.join(dir, 'points.csv');
    fs.writeFileSync(p, 'x,y,"label"\r\n1,2.5,0\r\n-3e2,.5,1\r\n\r\n');
    const t = readCsv(p);
    expect(t).toMatchObject({ rows: 2, cols: 3, columns: ['x', 'y', 'label'] });
    expect(Array.from(t.data)).toEqual([1, 2.5, 0, -300, 0.5, 1]);
    const tsv = path.join(dir, 'points.tsv');
    fs.writeFileSync(tsv, '1\t2\n3\t4\n');
    expect(Array.from(readCsv(tsv).data)).toEqual([1, 2, 3, 4]);
  });

  it('parses content without a header, with another delimiter and special values', () => {
    const t = parseCsv('1;2\n3;NaN\n-inf;+4\n', { delimiter: ';' });
    expect(t.columns).toBeUndefined();
    expect(t.rows).toBe(3);
    expect(t.cols).toBe(2);
    expect(Array.from(t.data.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(Number.isNaN(t.data[3])).toBe(true);
    expect(t.data[4]).toBe(-Infinity);
    expect(t.data[5]).toBe(4);
  });

  it('header: true takes a numeric first line as names; header: false makes a word an error', () => {
    const t = parseCsv('10,20\n1,2\n', { header: true });
    expect(t.columns).toEqual(['10', '20']);
    expect(t.rows).toBe(1);
    expect(() => parseCsv('a,b\n1,2\n', { header: false, name: 'h.csv' })).toThrow(/'h\.csv' row 1, column 1: 'a' is not a number/);
  });

  it('parseCsv never reads a file: text without a newline is text', () => {
    const dir = tempDir('csv');
    const secret = path.join(dir, 'secret.csv');
    fs.writeFileSync(secret, 'password,hunter2\n');
    // Before the split, a string without a newline was taken as a path and its content echoed.
    expect(parseCsv(secret)).toMatchObject({ rows: 0, columns: [secret] });
    const err = (() => { try { parseCsv(secret, { header: false }); } catch (e) { return (e as Error).message; } return ''; })();
    expect(err).toMatch(/'<csv text>' row 1, column 1: '.*secret\.csv' is not a number/);
    expect(err).not.toContain('hunter2');
    expect(parseCsv('1,2,3')).toMatchObject({ rows: 1, cols: 3 });
    expect(() => readCsv(path.join(dir, 'no-such-file.csv'))).toThrow(/readCsv: cannot read '.*no-such-file\.csv': ENOENT/);
  });

  it('a first row with one bad cell is an error, not a header', () => {
    // Before: '1,x2,3' became the column names and the table lost its first row without a word.
    expect(() => parseCsv('1,x2,3\n4,5,6\n', { name: 'typo.csv' })).toThrow(/'typo\.csv' row 1, column 2: 'x2' is not a number, but other fields of row 1 are/);
  });

  it('refuses a number float32 cannot hold, naming row and column', () => {
    expect(() => parseCsv('1,2\n3,1e999\n', { name: 'big.csv' })).toThrow(/'big\.csv' row 2, column 2: '1e999' is beyond float32's range/);
    expect(() => parseCsv('1,-4e38\n', { name: 'big.csv' })).toThrow(/row 1, column 2: '-4e38' is beyond float32's range .* -Infinity/);
    expect(parseCsv('3e38\n').data[0]).toBeCloseTo(3e38, -32);
  });

  it('names row and column of a bad value and of a ragged row', () => {
    expect(() => parseCsv('a,b\n1,2\n3,x7\n', { name: 'bad.csv' })).toThrow(/'bad\.csv' row 3, column 2 \('b'\): 'x7' is not a number/);
    expect(() => parseCsv('1,2,3\n4,5\n', { name: 'ragged.csv' })).toThrow(/'ragged\.csv' row 2 has 2 fields, expected 3 like the first row/);
    expect(() => parseCsv('1,2\n3,\n', { name: 'empty-field.csv' })).toThrow(/row 2, column 2: '' is not a number/);
  });
});
