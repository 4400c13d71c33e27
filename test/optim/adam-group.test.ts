// Adam steps all of a group's parameters in one kernel call (adamSteps) where the backend has one
// (native), grouped by step count. Each parameter must still follow PyTorch's rule with its own
// step count (reference.ts, float64), and native must equal js bit for bit, also when a parameter
// skipped steps (no gradient) so that the group's parameters are at different steps.
import { describe, expect, it } from 'vitest';
import { getBackend, tensor, useBackend, type Tensor } from '../../src/index.js';
import { Adam, AdamW, type AdamOptions } from '../../src/optim/index.js';
import { expectClose } from '../helpers.js';
import { adamRef, type Vec } from './reference.js';

const starts: Vec[] = [[0.5, -1.2, 2.0, 0.1, -0.3, 0.8], [0.25, -0.75, 1.5], Array.from({ length: 19 }, (_, i) => Math.sin(i) * 0.9)];
const grad = (j: number, k: number, n: number): Vec => Array.from({ length: n }, (_, i) => Math.cos(1.7 * i + 2.3 * k + j) * (k % 2 ? 0.5 : 1.3));
/** Parameter 1 has no gradient at step 2 (k = 1): it is one step behind the others from then on. */
const skips = (j: number, k: number) => j === 1 && k === 1;

async function run(backend: 'js' | 'native', make: (ps: Tensor[]) => Adam): Promise<Float32Array[]> {
  await useBackend(backend);
  const ps = starts.map((p0) => tensor(p0, [p0.length], { requiresGrad: true, backend }));
  const opt = make(ps);
  for (let k = 0; k < 4; k++) {
    opt.zeroGrad();
    ps.forEach((p, j) => { if (!skips(j, k)) p.grad = tensor(grad(j, k, p.size), [p.size], { backend }); });
    opt.step();
  }
  return ps.map((p) => Float32Array.from(p.dataSync()));
}

const CASES: [string, (ps: Tensor[]) => Adam, AdamOptions & { decoupled?: boolean }][] = [
  ['Adam', (ps) => new Adam(ps, { lr: 0.01 }), { lr: 0.01 }],
  ['Adam amsgrad + L2', (ps) => new Adam(ps, { lr: 0.05, betas: [0.9, 0.5], weightDecay: 0.1, amsgrad: true }), { lr: 0.05, betas: [0.9, 0.5], weightDecay: 0.1, amsgrad: true }],
  ['AdamW', (ps) => new AdamW(ps, { lr: 0.03, weightDecay: 0.2 }), { lr: 0.03, weightDecay: 0.2, decoupled: true }],
];

describe.each(CASES)('%s over a group in one call', (_name, make, o) => {
  it('each parameter follows its own step count, and native equals js bit for bit', async () => {
    const js = await run('js', make);
    // Native's adamSteps is called once per step count in each step, with all of that count's
    // parameters: step 1 all three; then 0 and 2 while 1 skips; then {0, 2} and {1} apart.
    const nb = getBackend('native'), group = nb.adamSteps!, calls: number[] = [];
    nb.adamSteps = (slots, p) => { calls.push(slots.length); group.call(nb, slots, p); };
    let native: Float32Array[];
    try { native = await run('native', make); } finally { nb.adamSteps = group; }
    expect(calls).toEqual([3, 2, 2, 1, 2, 1]);
    starts.forEach((p0, j) => {
      const gs = [0, 1, 2, 3].filter((k) => !skips(j, k)).map((k) => grad(j, k, p0.length));
      const [beta1, beta2] = o.betas ?? [0.9, 0.999];
      const ref = adamRef(p0, gs, { lr: o.lr ?? 1e-3, beta1, beta2, eps: 1e-8, wd: o.weightDecay ?? 0, decoupled: o.decoupled, amsgrad: o.amsgrad });
      expectClose(Array.from(js[j]), ref[ref.length - 1], 2e-6, 1e-6, `js parameter ${j}`);
      expect(Array.from(native[j])).toEqual(Array.from(js[j]));
    });
  });
});
