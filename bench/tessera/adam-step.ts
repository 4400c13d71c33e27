// Adam's update of W1's 8 parameters (105,392 values): one adamStep call per parameter against
// one adamSteps call for all of them (issue 15: "one fused Adam call over all parameters"), on
// the native backend, in alternating rounds in one process; checks first that the two give the
// same bits. Prints one JSON line.
//   TESSERA_THREADS=1 node dist/bench/tessera/adam-step.js [--rounds 15] [--steps 400]
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { getBackend, useBackend } from '../../src/index.js';
import type { AdamParams } from '../../src/backend/backend.js';
import { summarize } from '../harness/stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, steps: { type: 'string', default: '400' } } });
const rounds = Number(values.rounds), steps = Number(values.steps);
await useBackend('native');
const b = getBackend() as unknown as {
  adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vMax: null, n: number, o: AdamParams): void;
  adamSteps(slots: { param: Float32Array; grad: Float32Array; m: Float32Array; v: Float32Array; vMax: null; size: number }[], o: AdamParams): void;
};
const SIZES = [64 * 784, 64, 32 * 64, 32, 64 * 32, 64, 784 * 64, 784];
const slots = () => SIZES.map((n, i) => {
  const param = new Float32Array(n), grad = new Float32Array(n);
  for (let j = 0; j < n; j++) { param[j] = Math.sin(j + i); grad[j] = Math.cos(3 * j + i) * 1e-2; }
  return { param, grad, m: new Float32Array(n), v: new Float32Array(n), vMax: null, size: n };
});
const each = slots(), all = slots();
const o = (step: number): AdamParams => ({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step });
let step = 0;
const runEach = () => { step++; for (const s of each) b.adamStep(s.param, s.grad, s.m, s.v, null, s.size, o(step)); };
const runAll = () => b.adamSteps(all, o(step));
for (let k = 0; k < 5; k++) { runEach(); runAll(); }
const same = each.every((s, i) => s.param.every((x, j) => Object.is(x, all[i].param[j])) && s.v.every((x, j) => Object.is(x, all[i].v[j])));
if (!same) throw new Error('bench/tessera/adam-step.ts: adamSteps and per-parameter adamStep disagree');
const time = (f: () => void) => { const t0 = performance.now(); for (let k = 0; k < steps; k++) f(); return (performance.now() - t0) / steps * 1000; };
const perParam: number[] = [], oneCall: number[] = [], ratio: number[] = [];
for (let r = 0; r < rounds; r++) {
  // runAll repeats the last step number runEach reached; Adam's cost does not depend on it
  const a = time(() => { runEach(); }), c = time(runAll);
  perParam.push(a); oneCall.push(c); ratio.push(a / c);
}
console.log(JSON.stringify({
  backend: 'native', parameters: SIZES.length, values: SIZES.reduce((x, y) => x + y, 0), rounds, steps,
  per_parameter_us: summarize(perParam), one_call_us: summarize(oneCall), per_parameter_over_one_call: summarize(ratio),
}));
process.exit(0);
