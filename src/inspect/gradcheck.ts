// Gradient checking: analytic gradients from backward() against central finite differences,
// in float64 on the js backend by default, so the comparison measures the backward rules
// rather than float32 rounding.
import type { Backend, DType } from '../backend/backend.js';
import { getBackend } from '../backend/backend.js';
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';
import { fromTyped } from '../ops/creation.js';
import { rand } from '../ops/random.js';
import { mul, sum } from '../ops/index.js';
import { withDefaultDType } from '../ops/op.js';
import { Generator } from '../random.js';
import { shapeStr } from '../shape.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6 in float64, 1e-2 in float32). */
  eps?: number;
  /** Pass when |analytic − numeric| ≤ atol + rtol·|numeric| (defaults 1e-5 / 1e-3 in float64). */
  atol?: number;
  rtol?: number;
  /** Evaluate in this dtype; float64 needs a backend that stores it (js). Default float64. */
  dtype?: DType;
  backend?: Backend;
  /** Check at most this many elements per input (chosen at random, seeded). Default: all. */
  maxElements?: number;
  seed?: number;
}

export interface GradcheckInputReport {
  index: number;
  shape: readonly number[];
  checked: number;
  maxAbsError: number;
  /** |a − n| / max(|a|, |n|, 1e-8) at the worst element. */
  maxRelError: number;
  worstElement: number;
  ok: boolean;
}

export interface GradcheckReport {
  ok: boolean;
  inputs: GradcheckInputReport[];
}

/**
 * Checks dL/dinput for every input, where L = Σ fn(inputs) ⊙ R with a fixed random R (so a
 * non-scalar output is checked in every direction at once, like PyTorch's gradcheck).
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const dtype = options.dtype ?? 'float64';
  const backend = options.backend ?? (dtype === 'float64' ? getBackend('js') : getBackend());
  const eps = options.eps ?? (dtype === 'float64' ? 1e-6 : 1e-2);
  const atol = options.atol ?? (dtype === 'float64' ? 1e-5 : 1e-2);
  const rtol = options.rtol ?? (dtype === 'float64' ? 1e-3 : 5e-2);
  const gen = new Generator(options.seed ?? 1234);

  return withDefaultDType(dtype, () => {
    // Host copies of the inputs in the checking dtype.
    const hosts = inputs.map((t) => (dtype === 'float64' ? Float64Array.from(t.dataSync()) : Float32Array.from(t.dataSync())));
    const make = (i: number, requiresGrad: boolean) => fromTyped(hosts[i], inputs[i].shape, { backend, requiresGrad });
    let weights: Tensor | null = null;
    const loss = (xs: Tensor[]) => {
      const out = fn(...xs);
      if (!(out instanceof Tensor)) throw new Error('gradcheck: fn must return a Tensor');
      if (weights === null) weights = rand(out.shape, { backend, generator: gen, low: 0.5, high: 1.5 });
      return sum(mul(out, weights));
    };
    const evalLoss = (): number => noGrad(() => loss(hosts.map((_, i) => make(i, false))).dataSync()[0]);

    // Inputs marked requiresGrad are checked; when none is marked, all are.
    const check = inputs.some((t) => t.requiresGrad) ? inputs.map((t) => t.requiresGrad) : inputs.map(() => true);
    const xs = hosts.map((_, i) => make(i, check[i]));
    const l = loss(xs);
    l.backward();
    const reports: GradcheckInputReport[] = [];
    hosts.forEach((host, i) => {
      if (!check[i]) return;
      const analytic = xs[i].grad?.dataSync() ?? new Float64Array(host.length);
      let indices = Array.from({ length: host.length }, (_, k) => k);
      if (options.maxElements !== undefined && host.length > options.maxElements) {
        indices = Array.from(gen.permutation(host.length).subarray(0, options.maxElements));
      }
      let maxAbs = 0, maxRel = 0, worst = -1, ok = true;
      for (const k of indices) {
        const orig = host[k];
        host[k] = orig + eps;
        const plus = evalLoss();
        host[k] = orig - eps;
        const minus = evalLoss();
        host[k] = orig;
        const numeric = (plus - minus) / (2 * eps);
        const a = analytic[k];
        const abs = Math.abs(a - numeric);
        const rel = abs / Math.max(Math.abs(a), Math.abs(numeric), 1e-8);
        if (!(abs <= atol + rtol * Math.abs(numeric))) ok = false;
        if (abs > maxAbs || Number.isNaN(abs)) { maxAbs = abs; worst = k; }
        if (rel > maxRel) maxRel = rel;
      }
      reports.push({ index: i, shape: inputs[i].shape, checked: indices.length, maxAbsError: maxAbs, maxRelError: maxRel, worstElement: worst, ok });
    });
    return { ok: reports.every((r) => r.ok), inputs: reports };
  });
}

/** One line per input, for people and for test failure messages. */
export function formatGradcheck(report: GradcheckReport): string {
  return report.inputs.map((r) => `input ${r.index} ${shapeStr(r.shape)}: ${r.ok ? 'ok' : 'FAILED'} ` +
    `max abs error ${r.maxAbsError.toExponential(2)}, max rel error ${r.maxRelError.toExponential(2)} over ${r.checked} elements`).join('\n');
}
