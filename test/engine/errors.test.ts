// Bad arguments fail loudly, naming the op and the shapes; never a silent NaN.
import { describe, expect, it } from 'vitest';
import { tensor, zeros, setBackend, conv2d, concat, matmul } from '../../src/index.js';

setBackend('js');

describe('errors', () => {
  it('names the op and the shapes', () => {
    expect(() => tensor([1, 2, 3]).add(tensor([1, 2]))).toThrow(/add: shapes \[3\] and \[2\] cannot be broadcast/);
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(/matmul: inner dimensions differ: \[2, 3\] · \[4, 5\]/);
    expect(() => zeros([2, 3]).reshape([4, 2])).toThrow(/reshape: cannot reshape \[2, 3\] \(6 elements\) into \[4, 2\]/);
    expect(() => zeros([2, 3]).sum(2)).toThrow(/sum: axis 2 is out of range for a tensor of rank 2/);
    expect(() => zeros([2, 3]).permute([0, 0])).toThrow(/permute/);
    expect(() => conv2d(zeros([1, 2, 5, 5]), zeros([3, 4, 3, 3]))).toThrow(/conv2d: input has 2 channels but weight \[3, 4, 3, 3\] expects 4/);
    expect(() => conv2d(zeros([1, 1, 2, 2]), zeros([1, 1, 3, 3]))).toThrow(/too small/);
    expect(() => concat([zeros([2, 3]), zeros([3, 2])], 0)).toThrow(/concat: shapes \[2, 3\], \[3, 2\] differ outside axis 0/);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2, 2\]/);
    expect(() => zeros([2, 2]).item()).toThrow(/item: expected a tensor with one element, got shape \[2, 2\]/);
  });

  it('rejects mixed dtypes and backward on non-scalars', () => {
    const a = tensor([1, 2], undefined, { dtype: 'float64' });
    expect(() => a.add(tensor([1, 2]))).toThrow(/add: dtype mismatch: float64 \[2\] and float32 \[2\]/);
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/backward\(\) without a gradient needs a one-element/);
    expect(() => tensor([1]).backward()).toThrow(/does not require grad/);
  });

  it('refuses to use a disposed tensor', () => {
    const t = tensor([1, 2]);
    t.dispose();
    expect(() => t.mul(2)).toThrow(/mul: tensor #\d+ of shape \[2\] was disposed/);
  });
});
