// sumSquares on the js backend: values against an independent float64 formula, bit equality
// with sum(square(x)) (its contract), gradients (float64 finite differences, createGraph), and
// the losses that use it (squaredError, l2Penalty, clipGradNorm).
import { describe, expect, it } from 'vitest';
import {
  tensor, Generator, gradcheck, formatGradcheck, setBackend, sum, sumSquares, square, sub, mean, squaredError,
  type Tensor,
} from '../../src/index.js';
import { l2Penalty } from '../../src/losses/penalties.js';
import { clipGradNorm } from '../../src/optim/clip.js';
import { prod, randomArray } from '../helpers.js';

setBackend('js');
const gen = new Generator(77);

/** Every subset of the axes of a rank-r tensor, plus undefined (all) and a negative axis. */
function axisChoices(rank: number): (number | number[] | undefined)[] {
  const out: (number | number[] | undefined)[] = [undefined];
  if (rank > 0) out.push(-1);
  for (let mask = 1; mask < 1 << rank; mask++) {
    const axes: number[] = [];
    for (let d = 0; d < rank; d++) if (mask & (1 << d)) axes.push(d);
    out.push(axes);
  }
  return out;
}

function normalized(axes: number | number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, d) => d);
  return (Array.isArray(axes) ? axes : [axes]).map((a) => (a < 0 ? a + rank : a));
}

/**
 * Independent reference: Σ x² in float64 over `axes`, by walking every element and adding its
 * square to the output slot it maps to; also Σ x² per slot (for the rounding bound) and the count.
 */
function reference(x: ArrayLike<number>, shape: number[], axes: number[], keepDims: boolean): { shape: number[]; value: Float64Array; count: number } {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const value = new Float64Array(prod(outShape));
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < x.length; flat++) {
    let rem = flat;
    for (let d = shape.length - 1; d >= 0; d--) { idx[d] = rem % shape[d]; rem = Math.floor(rem / shape[d]); }
    let o = 0;
    for (let d = 0; d < shape.length; d++) o = o * outShape[d] + (axes.includes(d) ? 0 : idx[d]);
    value[o] += x[flat] * x[flat];
  }
  const count = prod(axes.map((a) => shape[a]));
  return { shape: keepDims ? outShape : shape.filter((_, i) => !axes.includes(i)), value, count };
}

const shapes: number[][] = [[], [1], [7], [1, 1], [3, 1], [5, 9], [1, 4, 1], [2, 3, 5], [3, 1, 7, 2], [1, 1001]];

describe('sumSquares (js)', () => {
  it('matches a float64 formula over every axis choice, keepDims, odd and size-1 shapes (float32)', () => {
    for (const shape of shapes) {
      const data = Float32Array.from(randomArray(gen, prod(shape), -3, 3));
      const x = tensor(Array.from(data), shape);
      for (const axes of axisChoices(shape.length)) {
        for (const keepDims of [false, true]) {
          const y = sumSquares(x, axes, keepDims);
          const ref = reference(data, shape, normalized(axes, shape.length), keepDims);
          expect(y.shape, `shape ${shape} axes ${axes}`).toEqual(ref.shape);
          const got = y.dataSync();
          for (let i = 0; i < ref.value.length; i++) {
            // Float32 rounding of each square and of each of the (count) adds, all terms ≥ 0:
            // |error| ≤ (count + 1)·2⁻²⁴·Σx² (first order), plus the final rounding.
            const tol = (ref.count + 2) * 2 ** -24 * ref.value[i] + 1e-30;
            expect(Math.abs(got[i] - ref.value[i]), `shape ${shape} axes ${axes} [${i}]: ${got[i]} vs ${ref.value[i]}`).toBeLessThanOrEqual(tol);
          }
        }
      }
    }
  });

  it('matches the float64 formula in float64 storage', () => {
    for (const shape of [[5, 9], [2, 3, 5], [1, 1001]]) {
      const data = randomArray(gen, prod(shape), -3, 3);
      const x = tensor(data, shape, { dtype: 'float64' });
      for (const axes of axisChoices(shape.length)) {
        const y = sumSquares(x, axes, true);
        expect(y.dtype).toBe('float64');
        const ref = reference(data, shape, normalized(axes, shape.length), true);
        const got = y.dataSync();
        for (let i = 0; i < ref.value.length; i++) expect(Math.abs(got[i] - ref.value[i])).toBeLessThanOrEqual(1e-12 * ref.value[i] + 1e-300);
      }
    }
  });

  it('equals sum(square(x)) bit for bit (float32 and float64)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const shape of shapes) {
        const x = tensor(randomArray(gen, prod(shape), -1e3, 1e3), shape, { dtype });
        for (const axes of axisChoices(shape.length)) {
          for (const keepDims of [false, true]) {
            const a = Array.from(sumSquares(x, axes, keepDims).dataSync());
            const b = Array.from(sum(square(x), axes, keepDims).dataSync());
            expect(a, `${dtype} shape ${shape} axes ${axes} keepDims ${keepDims}`).toEqual(b);
          }
        }
      }
    }
  });

  it('reduces an empty axis to 0', () => {
    const y = sumSquares(tensor([], [2, 0, 3]), 1);
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('names itself in errors on a bad axis', () => {
    expect(() => sumSquares(tensor([1, 2, 3], [3]), 2)).toThrow(/sumSquares/);
  });
});

describe('sumSquares gradients', () => {
  function input(shape: number[]): Tensor {
    return tensor(randomArray(gen, prod(shape), -1, 1), shape, { requiresGrad: true });
  }

  it('gradcheck (float64) over axes, with and without keepDims', () => {
    for (const shape of [[1], [5], [3, 1], [2, 3, 4]]) {
      for (const axes of axisChoices(shape.length)) {
        for (const keepDims of [false, true]) {
          // Squaring the result makes dL/dy non-uniform, so the broadcast of g is checked too.
          const report = gradcheck((x) => sumSquares(x, axes, keepDims).square().sum(), [input(shape)]);
          expect(report.ok, `shape ${shape} axes ${axes} keepDims ${keepDims}\n${formatGradcheck(report)}`).toBe(true);
        }
      }
    }
  });

  it('gradient is 2·x·g, and createGraph gives the second derivative 2', () => {
    const x = tensor([0.5, -1.25, 3], [3], { requiresGrad: true });
    const y = sumSquares(x);
    y.backward(undefined, { createGraph: true });
    const g = x.grad!;
    expect(Array.from(g.dataSync())).toEqual([1, -2.5, 6]);
    x.grad = null;
    g.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 2, 2]);
  });
});

describe('users of sumSquares', () => {
  it('squaredError equals mean(square(sub)) and Σ(sub)² bit for bit', () => {
    const p = tensor(randomArray(gen, 6 * 37, -2, 2), [6, 37]);
    const t = tensor(randomArray(gen, 6 * 37, -2, 2), [6, 37]);
    expect(squaredError(p, t).item()).toBe(mean(square(sub(p, t))).item());
    expect(squaredError(p, t, 'sum').item()).toBe(sum(square(sub(p, t))).item());
  });

  it('l2Penalty is Σ w² over the parameters, with gradient 2w', () => {
    const a = tensor([1, -2, 0.5], [3], { requiresGrad: true });
    const b = tensor([[3, 0], [-1, 0.25]], [2, 2], { requiresGrad: true });
    const pen = l2Penalty([a, b]);
    expect(pen.item()).toBe(1 + 4 + 0.25 + 9 + 0 + 1 + 0.0625);
    pen.backward();
    expect(Array.from(a.grad!.dataSync())).toEqual([2, -4, 1]);
    expect(Array.from(b.grad!.dataSync())).toEqual([6, 0, -2, 0.5]);
  });

  it('clipGradNorm measures (Σ g²)^½ over all gradients', () => {
    const a = tensor([0, 0], [2], { requiresGrad: true });
    const b = tensor([0], [1], { requiresGrad: true });
    a.grad = tensor([3, 0], [2]);
    b.grad = tensor([4], [1]);
    // ‖g‖ = 5; maxNorm 1 scales every gradient by 1/(5 + 1e-6).
    expect(clipGradNorm([a, b], 1)).toBe(5);
    const scale = Math.fround(1 / (5 + 1e-6));
    expect(a.grad.dataSync()[0]).toBeCloseTo(3 * scale, 6);
    expect(b.grad.dataSync()[0]).toBeCloseTo(4 * scale, 6);
  });
});
