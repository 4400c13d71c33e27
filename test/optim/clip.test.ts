// Gradient clipping by global norm and by value.
import { describe, expect, it } from 'vitest';
import { setBackend, tensor } from '../../src/index.js';
import { clipGradNorm, clipGradValue } from '../../src/optim/index.js';
import { expectClose } from '../helpers.js';

setBackend('js');

function params() {
  const a = tensor([0, 0], [2], { requiresGrad: true });
  const b = tensor([0], [1], { requiresGrad: true });
  const c = tensor([0], [1], { requiresGrad: true });   // no gradient: ignored
  a.grad = tensor([3, 4], [2]);
  b.grad = tensor([12], [1]);
  return [a, b, c];
}

describe('clipGradNorm', () => {
  it('returns the total L2 norm and rescales to maxNorm', () => {
    const ps = params();
    const norm = clipGradNorm(ps, 6.5);
    expect(norm).toBeCloseTo(13, 5);                      // √(9 + 16 + 144)
    const k = 6.5 / (13 + 1e-6);
    expectClose(ps[0].grad!.dataSync(), [3 * k, 4 * k], 1e-6, 0, 'a');
    expectClose(ps[1].grad!.dataSync(), [12 * k], 1e-6, 0, 'b');
    expect(ps[2].grad).toBeNull();
  });
  it('leaves gradients below the bound unchanged', () => {
    const ps = params();
    expect(clipGradNorm(ps, 20)).toBeCloseTo(13, 5);
    expect(Array.from(ps[0].grad!.dataSync())).toEqual([3, 4]);
    expect(Array.from(ps[1].grad!.dataSync())).toEqual([12]);
  });
  it('rejects a non-positive bound', () => {
    expect(() => clipGradNorm(params(), 0)).toThrow(/clipGradNorm: maxNorm must be a positive number/);
  });
});

describe('clipGradValue', () => {
  it('clamps every element', () => {
    const ps = params();
    clipGradValue(ps, 3.5);
    expect(Array.from(ps[0].grad!.dataSync())).toEqual([3, 3.5]);
    expect(Array.from(ps[1].grad!.dataSync())).toEqual([3.5]);
  });
});
