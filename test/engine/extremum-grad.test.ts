// maximum/minimum's backward: the gradient goes to the chosen input, a tie splits it evenly,
// and the mask that says who won is built once for both inputs (it was built twice).
import { describe, expect, it } from 'vitest';
import { getBackend, setBackend, tensor, type Tensor } from '../../src/index.js';

setBackend('js');

/** Runs fn and counts the binary kernels of each op it launched on the js backend. */
function countBinary(fn: () => void): Record<string, number> {
  const js = getBackend('js');
  const binary = js.binary;
  const counts: Record<string, number> = {};
  js.binary = (op, ...rest) => { counts[op] = (counts[op] ?? 0) + 1; return binary.call(js, op, ...rest); };
  try { fn(); } finally { js.binary = binary; }
  return counts;
}

describe.each([
  ['maximum', (a: Tensor, b: Tensor) => a.maximum(b), 'gt', [0.5, 0, 1, 0.5, 0], [0.5, 1, 0, 0.5, 1]],
  ['minimum', (a: Tensor, b: Tensor) => a.minimum(b), 'lt', [0.5, 1, 0, 0.5, 1], [0.5, 0, 1, 0.5, 0]],
] as const)('%s backward', (_name, op, winner, gradA, gradB) => {
  // ties at 0 and 3; a wins at 2 for maximum (b at 1 and 4); the reverse for minimum
  const a0 = [1, 2, 3, -4, -1], b0 = [1, 3, 2, -4, 5];

  it('sends the gradient to the chosen input and splits ties, with one tie mask for both inputs', () => {
    const a = tensor(a0, undefined, { requiresGrad: true }), b = tensor(b0, undefined, { requiresGrad: true });
    const y = op(a, b);
    const counts = countBinary(() => y.sum().backward());
    expect(Array.from(a.grad!.dataSync())).toEqual(gradA);
    expect(Array.from(b.grad!.dataSync())).toEqual(gradB);
    expect(counts.eq).toBe(1);
    expect(counts[winner]).toBe(1);
  });

  it('builds the mask once when only one input needs a gradient', () => {
    const a = tensor(a0), b = tensor(b0, undefined, { requiresGrad: true });
    const counts = countBinary(() => op(a, b).sum().backward());
    expect(Array.from(b.grad!.dataSync())).toEqual(gradB);
    expect(counts.eq).toBe(1);
  });
});
