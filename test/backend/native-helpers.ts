// Shared pieces of the native backend tests: loading the backend (a missing addon fails the
// tests with the loader's reason, it is never skipped), the ISAs to run every test under, seeded
// data, and comparisons with tolerances derived from float32 rounding.
import { expect } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { loadNativeBackend, nativeInfo, setNativeIsa, setNativeThreads, type NativeIsa } from '../../src/backend/native/index.js';
import { Generator } from '../../src/random.js';

export const js = jsBackend as unknown as Backend<Float32Array>;

export function nativeOrThrow(): Backend<Float32Array> {
  const { backend, reason } = loadNativeBackend();
  if (backend === null) throw new Error(`the native backend did not load: ${reason}`);
  return backend;
}

/** Every ISA this CPU can run: each test runs under each, so no kernel path ships untested. */
export function isasHere(): NativeIsa[] {
  nativeOrThrow();
  return nativeInfo().available as NativeIsa[];
}

export function useIsa(isa: NativeIsa, threads = 1): void {
  setNativeIsa(isa);
  setNativeThreads(threads);
}

/** float32 unit roundoff, 2^-24. */
export const U = 2 ** -24;

export function uniform(gen: Generator, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * gen.uniform();
  return a;
}

/**
 * Elementwise |got − want| ≤ relTol·|want| + absTol, with NaN only where want is NaN and
 * infinities equal. Reports the first offending index with both values.
 */
export function expectClose(got: Float32Array, want: Float32Array, relTol: number, absTol = 0, what = ''): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      if (!Object.is(g, w) && !(Number.isNaN(g) && Number.isNaN(w))) {
        throw new Error(`${what} [${i}]: got ${g}, want ${w}`);
      }
      continue;
    }
    const tol = relTol * Math.abs(w) + absTol;
    if (!(Math.abs(g - w) <= tol)) throw new Error(`${what} [${i}]: got ${g}, want ${w} (|diff| ${Math.abs(g - w)} > tol ${tol})`);
  }
}

/** Per-element tolerances: |got − want| ≤ tol[i]. */
export function expectWithin(got: Float32Array, want: Float64Array | Float32Array, tol: Float64Array, what = ''): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol[i])) {
      throw new Error(`${what} [${i}]: got ${got[i]}, want ${want[i]} (|diff| ${Math.abs(got[i] - want[i])} > tol ${tol[i]})`);
    }
  }
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
  return s;
}

export { Generator };
