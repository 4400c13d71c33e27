// The probability check of bceLoss on the CPU backends whose min and max run as vector kernels
// (native, wasm; js for reference): a value outside [0, 1] or a NaN anywhere in a long row (first,
// inside the vector blocks, in the tail after them, last) is refused and named, as the host loop
// alone did; an empty batch passes.
import { afterEach, describe, expect, it } from 'vitest';
import { setBackend, tensor } from '../../src/index.js';
import { bceLoss } from '../../src/losses/index.js';
import { probeNative, probeWasm } from '../backend-probe.js';

const native = probeNative(), wasm = probeWasm();
const backends: { name: 'js' | 'native' | 'wasm'; skip: boolean }[] = [
  { name: 'js', skip: false },
  { name: 'native', skip: native.skip },
  { name: 'wasm', skip: wasm.skip },
];

afterEach(() => setBackend('js'));

describe.each(backends)('bceLoss target check on $name', ({ name, skip }) => {
  it.skipIf(skip)('names a NaN or an out-of-range value wherever it is in the row; passes clean and empty rows', () => {
    setBackend(name);
    expect(tensor([1]).backend.name).toBe(name);
    for (const n of [3, 17, 40, 1003]) {
      const p = Array.from({ length: n }, (_, i) => ((i * 37) % 101) / 100);
      const pred = tensor(p, [n]);
      expect(bceLoss(pred, tensor(p, [n])).item()).toBeGreaterThanOrEqual(0);
      for (const at of new Set([0, 1, n >> 1, n - 2, n - 1])) {
        for (const bad of [NaN, 1.25, -0.5]) {
          const y = p.slice();
          y[at] = bad;
          expect(() => bceLoss(pred, tensor(y, [n]))).toThrow(`bceLoss: target [${n}] holds ${bad} at [${at}]; expected values in [0, 1]`);
        }
      }
    }
    expect(bceLoss(tensor([], [0, 4]), tensor([], [0, 4]), { reduction: 'sum' }).item()).toBe(0);
  });
});
