// The webgpu sumSquares reduction (reduce.wgsl OP R_SUM_SQUARES) against the webgpu sum of the webgpu
// square kernel, under the GPU and the CPU-rasteriser plans (serial, tree, two-pass), and at
// the tensor level against js. The shader compiler may fuse x·x + acc into one FMA, so the
// comparison is within a tight float32 bound instead of bit for bit.
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/js/index.js';
import { Generator } from '../../src/random.js';
import { randomF32, readAll, requireBackend, setupWebGPU, shouldSkip, underBothPolicies } from './webgpu-helpers.js';

const setup = await setupWebGPU();

describe.skipIf(shouldSkip(setup))('webgpu sumSquares', () => {
  const gpu = () => requireBackend(setup);
  const gen = new Generator(4321);

  // [outer, size, inner]: serial, tree, two-pass (few outputs, long rows), empty rows.
  const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [2, 1000, 3], [1, 4097, 1], [9000, 70, 1], [4, 300, 1],
    [1, 7, 1], [1, 20000, 1], [3, 9000, 2], [1, 40000, 1], [2, 33000, 2], [1, 200704, 1], [3, 0, 4]];

  it('equals sum(square(x)) within float32 rounding, GPU and CPU plans', () => underBothPolicies(gpu(), async () => {
    for (const [outer, size, inner] of shapes) {
      const n = outer * size * inner;
      const x = randomF32(gen, Math.max(n, 1), -3, 3);
      const gx = gpu().upload(x);
      const sq = gpu().alloc('float32', Math.max(n, 1));
      gpu().unary('square', gx, sq, n, {});
      const want = gpu().alloc('float32', outer * inner), got = gpu().alloc('float32', outer * inner);
      gpu().reduce('sum', sq, want, outer, size, inner);
      gpu().reduce('sumSquares', gx, got, outer, size, inner);
      const g = await readAll(gpu(), got), w = await readAll(gpu(), want);
      // Independent bound: Σx² in float64 per output; each of the ≤ size float32 adds of
      // non-negative terms errs by ≤ 2⁻²⁴ of a partial sum ≤ Σx², so two such sums differ by at
      // most 2·(size + 1)·2⁻²⁴·Σx². Both must also be near the exact value.
      for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
        let exact = 0;
        for (let r = 0; r < size; r++) { const v = x[(o * size + r) * inner + i]; exact += v * v; }
        const at = o * inner + i;
        const tol = 2 * (size + 1) * 2 ** -24 * exact;
        const label = `[${outer},${size},${inner}] out ${at}: sumSquares ${g[at]}, sum(square) ${w[at]}, exact ${exact}`;
        expect(Math.abs(g[at] - w[at]), label).toBeLessThanOrEqual(tol);
        expect(Math.abs(g[at] - exact), label).toBeLessThanOrEqual(tol);
      }
      gpu().free(gx); gpu().free(sq); gpu().free(want); gpu().free(got);
    }
  }));

  it('agrees with the js sumSquares kernel', async () => {
    for (const [outer, size, inner] of [[5, 13, 3], [1, 50000, 1], [64, 784, 1]] as [number, number, number][]) {
      const x = randomF32(gen, outer * size * inner, -2, 2);
      const expected = new Float32Array(outer * inner);
      jsBackend.reduce('sumSquares', x, expected, outer, size, inner);
      const gx = gpu().upload(x), out = gpu().alloc('float32', outer * inner);
      gpu().reduce('sumSquares', gx, out, outer, size, inner);
      const g = await readAll(gpu(), out);
      for (let i = 0; i < expected.length; i++) {
        expect(Math.abs(g[i] - expected[i]), `[${outer},${size},${inner}] ${i}`).toBeLessThanOrEqual(2 * (size + 1) * 2 ** -24 * expected[i]);
      }
      gpu().free(gx); gpu().free(out);
    }
  });
});
