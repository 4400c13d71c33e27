// Native reductions and softmax against the js backend on every ISA path, over each axis
// layout of [outer, size, inner] (inner 1, inner > 1, outer 1, size 1, wide inner for the
// column-split threads), with NaN propagation and first-index ties for argmax/argmin; max/min of
// one long row (the ISA vector loop) on native and wasm against values derived by hand.
import { describe, expect, it } from 'vitest';
import type { Backend, ReduceOp } from '../../src/backend/backend.js';
import { probeWasm, probedBackend } from '../backend-probe.js';
import { Generator, U, expectClose, expectWithin, isasHere, js, nativeOrThrow, uniform, useIsa } from './native-helpers.js';

const native = nativeOrThrow();
const wasm = probeWasm();

const LAYOUTS: [number, number, number][] = [
  [1, 1, 1], [1, 7, 1], [5, 1, 3], [4, 13, 1], [3, 17, 5], [1, 1000, 1], [2, 9, 600], [1, 40, 1500],
  [6, 33, 16], [700, 50, 1], [1, 100_003, 1], [40, 300, 9], [3, 0, 4],
  [1, 200_704, 1], [1, 256, 784], [1, 33, 130],   // a long row in blocks; column blocks of W1's 784 and of 130
];

function data(gen: Generator, n: number): Float32Array {
  const x = uniform(gen, Math.max(n, 1), -5, 5);
  // Repeated values: argmax/argmin must return the first extreme index, as js.
  for (let i = 0; i < x.length; i += 7) x[i] = Math.round(x[i]);
  return x;
}

describe.each(isasHere())('native reduce and softmax on %s', (isa) => {
  it('sum, max, min, argmax, argmin over every axis layout, 1 and 2 threads', () => {
    const gen = new Generator(31);
    for (const threads of [1, 2]) {
      useIsa(isa, threads);
      for (const [outer, size, inner] of LAYOUTS) {
        const x = data(gen, outer * size * inner);
        for (const op of ['sum', 'max', 'min', 'argmax', 'argmin'] as ReduceOp[]) {
          const got = new Float32Array(outer * inner).fill(12345), want = new Float32Array(outer * inner);
          native.reduce(op, x, got, outer, size, inner);
          js.reduce(op, x, want, outer, size, inner);
          const label = `${op} [${outer},${size},${inner}] threads=${threads}`;
          if (op !== 'sum') { expectClose(got, want, 0, 0, label); continue; }
          // inner == 1: both sum in double, then round once (≤ 1 ulp of the result each, plus
          // double rounding, negligible). inner > 1: both add float32 rows in the same order.
          const tol = new Float64Array(want.length);
          for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
            let abs = 0;
            for (let r = 0; r < size; r++) abs += Math.abs(x[(o * size + r) * inner + i]);
            tol[o * inner + i] = inner === 1 ? 2 * U * Math.abs(want[o * inner + i]) + 1e-12 * abs : 0;
          }
          expectWithin(got, want, tol, label);
        }
      }
    }
    useIsa(isa, 1);
  });

  it('every reduction gives the one-thread result bit for bit at 2 and 3 threads', () => {
    // A long row is summed in fixed blocks and columns each over their rows in order, so the
    // split over threads must not move a single bit (the js comparison above allows an ulp).
    const gen = new Generator(32);
    for (const [outer, size, inner] of [[1, 200_704, 1], [1, 32_769, 1], [1, 100_003, 1], [1, 256, 784], [1, 33, 130], [1, 70, 4097], [3, 40_000, 1]] as const) {
      const x = data(gen, outer * size * inner);
      for (const op of ['sum', 'sumSquares', 'max', 'argmin'] as ReduceOp[]) {
        useIsa(isa, 1);
        const one = new Float32Array(outer * inner);
        native.reduce(op, x, one, outer, size, inner);
        for (const threads of [2, 3]) {
          useIsa(isa, threads);
          const got = new Float32Array(outer * inner).fill(12345);
          native.reduce(op, x, got, outer, size, inner);
          expectClose(got, one, 0, 0, `${op} [${outer},${size},${inner}] ${threads} threads against 1`);
        }
      }
    }
    useIsa(isa, 1);
  });

  it('column sums (sum, sumSquares) into an out at any offset equal a naive float32 loop, 1-3 threads', () => {
    // Each block of columns is summed on its thread and stored once (native/reduce.cc,
    // sumColumns): out at offsets 0-3 floats (block edges off cache lines) must still get every
    // column, in the order rows are added, and nothing past it. [2, 5, 600]: rows wider than the
    // 256-column block. The reference adds float32 rows in order, as js does.
    const gen = new Generator(33);
    for (const [outer, size, inner] of [[1, 256, 784], [1, 3, 130], [1, 40, 257], [2, 5, 600]] as const) {
      const x = data(gen, outer * size * inner), n = outer * inner;
      for (const op of ['sum', 'sumSquares'] as ReduceOp[]) {
        const want = new Float32Array(n);
        for (let o = 0; o < outer; o++) for (let r = 0; r < size; r++) for (let i = 0; i < inner; i++) {
          const v = x[(o * size + r) * inner + i];
          want[o * inner + i] = Math.fround(want[o * inner + i] + (op === 'sum' ? v : Math.fround(v * v)));
        }
        for (const threads of [1, 2, 3]) {
          useIsa(isa, threads);
          for (const offset of [0, 1, 2, 3]) {
            const buffer = new Float32Array(n + 8).fill(12345);
            native.reduce(op, x, buffer.subarray(offset, offset + n), outer, size, inner);
            const label = `${op} [${outer},${size},${inner}] out at +${offset}, ${threads} threads`;
            expectClose(buffer.subarray(offset, offset + n), want, 0, 0, label);
            const outside = [...buffer.subarray(0, offset), ...buffer.subarray(offset + n)];
            expectClose(Float32Array.from(outside), new Float32Array(outside.length).fill(12345), 0, 0, `${label}: outside out`);
          }
        }
      }
    }
    useIsa(isa, 1);
  });

  it('max/min propagate NaN and argmax keeps the first index', () => {
    useIsa(isa);
    const x = new Float32Array([1, 5, 5, NaN, 2, 5, 0, 5, 5, 5, 1, 5]);
    for (const [outer, size, inner] of [[1, 12, 1], [3, 4, 1], [1, 4, 3], [2, 3, 2]] as [number, number, number][]) {
      for (const op of ['max', 'min', 'argmax', 'argmin'] as ReduceOp[]) {
        const got = new Float32Array(outer * inner), want = new Float32Array(outer * inner);
        native.reduce(op, x, got, outer, size, inner);
        js.reduce(op, x, want, outer, size, inner);
        expectClose(got, want, 0, 0, `${op} [${outer},${size},${inner}]`);
      }
    }
  });

  it('max/min of one long row (the vector lanes): NaN anywhere, and a zero extreme signed as the first zero', () => {
    useIsa(isa);
    checkRowExtremes((op, x) => { const out = new Float32Array(1).fill(7); native.reduce(op, x, out, 1, x.length, 1); return out[0]; });
  });

  it('softmax and log-softmax over every axis layout, with large logits', () => {
    const gen = new Generator(32);
    for (const threads of [1, 2]) {
      useIsa(isa, threads);
      for (const [outer, size, inner] of LAYOUTS) {
        const n = outer * size * inner;
        const x = uniform(gen, Math.max(n, 1), -8, 8);
        if (n > 2) { x[0] = 300; x[1] = -300; }  // softmax must subtract the max first
        for (const log of [false, true]) {
          const got = new Float32Array(n).fill(12345), want = new Float32Array(n);
          native.softmax(x, got, outer, size, inner, log);
          js.softmax(x, want, outer, size, inner, log);
          // Both compute in double and round once: ≤ 1 ulp each way. log-softmax x − lse can
          // cancel; its double error (1e-15·|lse|) stays far below 1e-9 absolute.
          expectClose(got, want, 2 * U, log ? 1e-9 : 1e-30, `${log ? 'log' : ''}softmax [${outer},${size},${inner}] threads=${threads}`);
        }
      }
    }
    useIsa(isa, 1);
  });
});

/**
 * max/min of one contiguous row, as `reduceRow` computes it, against values derived by hand: NaN
 * at the start, middle, end and in the tail after the vector blocks; and rows of values ≤ 0 (max)
 * or ≥ 0 (min) holding zeros of both signs, where the result is the first zero (the sequential
 * loop keeps the first of equal values), whichever lane the later zero falls in.
 */
function checkRowExtremes(reduceRow: (op: ReduceOp, x: Float32Array) => number): void {
  for (const n of [1, 31, 32, 33, 63, 64, 65, 100, 127, 1000]) {
    for (const at of new Set([0, n - 1, n >> 1, Math.min(n - 1, 40)])) {
      const x = new Float32Array(n).map((_, i) => 1 + (i % 5));
      x[at] = NaN;
      for (const op of ['max', 'min'] as ReduceOp[]) expect(reduceRow(op, x), `${op} of ${n} with NaN at ${at}`).toBeNaN();
    }
  }
  for (const [first, later, firstAt, laterAt] of [[-0, 0, 5, 40], [-0, 0, 20, 33], [0, -0, 30, 64], [-0, 0, 0, 999], [0, -0, 998, 999]]) {
    for (const op of ['max', 'min'] as ReduceOp[]) {
      const x = new Float32Array(1000).map((_, i) => (op === 'max' ? -1 : 1) * (1 + (i % 7)));
      x[firstAt] = first;
      x[laterAt] = later;
      const got = reduceRow(op, x);
      expect(Object.is(got, first), `${op}: ${Object.is(first, -0) ? '-0' : '+0'} at ${firstAt} before ${laterAt}, got ${Object.is(got, -0) ? '-0' : got}`).toBe(true);
    }
  }
  // A plain row: the extreme wherever it is, against a loop here.
  const gen = new Generator(33);
  for (const n of [7, 200_704]) {
    const x = uniform(gen, n, -5, 5);
    let hi = -Infinity, lo = Infinity;
    for (const v of x) { hi = Math.max(hi, v); lo = Math.min(lo, v); }
    expect(reduceRow('max', x)).toBe(hi);
    expect(reduceRow('min', x)).toBe(lo);
  }
}

describe('wasm max/min of one long row', () => {
  it.skipIf(wasm.skip)('NaN anywhere, a zero extreme signed as the first zero, plain rows', () => {
    const b = probedBackend(wasm, 'wasm') as Backend<Float32Array>;
    checkRowExtremes((op, x) => {
      const xs = b.upload(x), out = b.upload(new Float32Array(1));
      b.reduce(op, xs, out, 1, x.length, 1);
      const v = b.readSync(out, 'float32', 1)![0];
      b.free(xs);
      b.free(out);
      return v;
    });
  });
});
