// The native sumSquares reduction on every ISA path, 1 and 2 threads: bit for bit the native
// sum of the native square kernel's output (its contract), over each [outer, size, inner]
// layout (inner 1 in double, inner > 1 in float, wide inner split by columns, the vector tails);
// and at the tensor level, sumSquares(x, axes) == sum(square(x), axes) on native.
import { describe, expect, it } from 'vitest';
import { setBackend, tensor, sum, sumSquares, square, squaredError, mean, sub } from '../../src/index.js';
import { Generator, expectClose, isasHere, js, nativeOrThrow, uniform, useIsa } from './native-helpers.js';

const native = nativeOrThrow();

const LAYOUTS: [number, number, number][] = [
  [1, 1, 1], [1, 7, 1], [1, 8, 1], [1, 17, 1], [5, 1, 3], [4, 13, 1], [3, 17, 5], [1, 1000, 1], [2, 9, 600],
  [1, 40, 1500], [6, 33, 16], [700, 50, 1], [1, 100_003, 1], [40, 300, 9], [3, 0, 4], [1, 200_704, 1], [1, 256, 784],
];

describe.each(isasHere())('native sumSquares on %s', (isa) => {
  it('equals reduce(sum) of unary(square) bit for bit, every layout, 1 and 2 threads', () => {
    const gen = new Generator(57);
    for (const threads of [1, 2]) {
      useIsa(isa, threads);
      for (const [outer, size, inner] of LAYOUTS) {
        const n = outer * size * inner;
        // Wide range: squares that round, and a few huge / tiny values (overflow, subnormal squares).
        const x = uniform(gen, Math.max(n, 1), -50, 50);
        for (let i = 0; i < x.length; i += 97) x[i] = i % 2 ? 3e19 : 1e-23;
        const sq = new Float32Array(x.length);
        native.unary('square', x, sq, x.length, {});
        const want = new Float32Array(outer * inner), got = new Float32Array(outer * inner).fill(12345);
        native.reduce('sum', sq, want, outer, size, inner);
        native.reduce('sumSquares', x, got, outer, size, inner);
        const label = `sumSquares [${outer},${size},${inner}] threads=${threads}`;
        expectClose(got, want, 0, 0, label);
        // And js's sumSquares is bit for bit js's sum of squares, to within native vs js sum order:
        // inner > 1 both add float32 rows in the same order, so they agree exactly.
        if (inner > 1) {
          const viaJs = new Float32Array(outer * inner);
          js.reduce('sumSquares', x, viaJs, outer, size, inner);
          expectClose(got, viaJs, 0, 0, `${label} vs js`);
        }
      }
    }
    useIsa(isa, 1);
  });

  it('tensor level: sumSquares(x, axes, keepDims) == sum(square(x), axes, keepDims), and squaredError', () => {
    setBackend('native');
    try {
      const gen = new Generator(8);
      for (const threads of [1, 2]) {
        useIsa(isa, threads);
        for (const shape of [[], [9], [33, 17], [2, 3, 41], [256, 784]]) {
          const n = shape.reduce((p, d) => p * d, 1);
          const x = tensor(Array.from(uniform(gen, n, -4, 4)), shape);
          expect(x.backend.name).toBe('native');
          const axesList: (number[] | undefined)[] = [undefined, ...shape.map((_, d) => [d])];
          if (shape.length === 3) axesList.push([0, 2], [0, 1]);
          for (const axes of axesList) {
            for (const keepDims of [false, true]) {
              const a = Array.from(sumSquares(x, axes, keepDims).dataSync());
              const b = Array.from(sum(square(x), axes, keepDims).dataSync());
              expect(a, `${isa} t=${threads} shape ${shape} axes ${axes} keepDims ${keepDims}`).toEqual(b);
            }
          }
        }
        const p = tensor(Array.from(uniform(gen, 256 * 784, 0, 1)), [256, 784]);
        const t = tensor(Array.from(uniform(gen, 256 * 784, 0, 1)), [256, 784]);
        expect(squaredError(p, t).item()).toBe(mean(square(sub(p, t))).item());
        expect(squaredError(p, t, 'sum').item()).toBe(sum(square(sub(p, t))).item());
      }
    } finally {
      useIsa(isa, 1);
      setBackend('js');
    }
  });
});
