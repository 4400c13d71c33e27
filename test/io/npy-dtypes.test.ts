// The integer and bool dtypes of .npy (numpy's default int is int64), on bytes built in the test.
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../src/io/npy.js';
import { npyOf } from '../data/independent-writers.js';

describe('readNpy integer and bool dtypes', () => {
  it('reads <i4, <i8 and |b1 as their values', () => {
    expect(readNpy(npyOf('<i4', [4], [-7, 0, 3, 2147483647]))).toMatchObject({ dtype: 'int32', shape: [4] });
    expect(Array.from(readNpy(npyOf('<i4', [4], [-7, 0, 3, 2147483647])).data)).toEqual([-7, 0, 3, 2147483647]);
    const big = readNpy(npyOf('<i8', [2, 2], [-1, 9, 2 ** 40, 0]));
    expect(big).toMatchObject({ dtype: 'int64', shape: [2, 2] });
    expect(Array.from(big.data)).toEqual([-1, 9, 2 ** 40, 0]);
    const b = readNpy(npyOf('|b1', [3], [1, 0, 1]));
    expect(b.dtype).toBe('bool');
    expect(Array.from(b.data)).toEqual([1, 0, 1]);
  });

  it('refuses an int64 beyond 2^53, naming the element', () => {
    const bytes = npyOf('<i8', [2], [0, 0]);
    bytes.writeBigInt64LE(2n ** 60n, bytes.length - 8);
    expect(() => readNpy(bytes, 'big.npy')).toThrow(/'big.npy' element 1 is 1152921504606846976/);
  });
});
