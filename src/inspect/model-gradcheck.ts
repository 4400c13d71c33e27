// Gradient check of a whole model: dL/dθ from backward() against central finite differences
// (L(θ + ε) − L(θ − ε)) / 2ε on a seeded random subset of every parameter tensor, with the
// worst relative error per tensor. In float64 on the js backend by default: the parameters and
// buffers swap their storage with float64 copies for the check (swapStorage below, so the model
// keeps its tensors) and swap back afterwards, and the batch is copied, so the comparison
// measures the backward rules rather than float32 rounding.
//
// Randomness inside the forward pass (dropout masks, the VAE's ε, denoising noise) would make
// L(θ + ε) and L(θ − ε) differ by more than the step: every Generator the model's modules hold
// (and the default one) is reset to the same state before each evaluation, so all of them see
// the same draws.
import type { Backend, DType } from '../backend/backend.js';
import { getBackend } from '../backend/backend.js';
import { noGrad } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { fromTyped } from '../ops/creation.js';
import { assign } from '../ops/shape-ops.js';
import { add } from '../ops/elementwise.js';
import { withDefaultDType } from '../ops/op.js';
import { Generator, defaultGenerator } from '../random.js';
import { tidy } from '../memory.js';
import { shapeStr } from '../shape.js';
import type { StepLoss, StepModel } from './step-trace.js';

export interface CheckableModel extends StepModel {
  namedBuffers?(): [string, Tensor][];
  namedModules?(): [string, object][];
}

export interface ModelGradcheckOptions {
  /**
   * float64 (on js, default) or float32 (on the model's js/native backend, ε = 1e-2). float32 is
   * only meaningful for losses whose per-element gradients stand well above float32 rounding of
   * the loss (sums, small models): for the autoencoders' mean losses it cannot resolve them.
   */
  dtype?: DType;
  /** Elements checked per parameter tensor (default 12; all when the tensor is smaller). */
  perTensor?: number;
  /** Finite-difference step (default 1e-5 in float64, 1e-2 in float32). */
  eps?: number;
  /** A tensor passes when its worst relative error is at most this (default 5e-3 / 5e-2: a wrong rule errs by O(1)). */
  tolerance?: number;
  seed?: number;
}

export interface ParamCheck {
  name: string;
  shape: readonly number[];
  checked: number;
  /** max over checked elements of |a − n| / max(|a|, |n|, floor); floor = 1e-3·max|a| of the tensor. */
  maxRelError: number;
  maxAbsError: number;
  worstElement: number;
  /** Elements that failed at ε but agreed at ε/10 or ε/100, or with a one-sided slope at a kink. */
  rechecked: number;
  ok: boolean;
}

export interface ModelGradcheckReport {
  ok: boolean;
  dtype: DType;
  eps: number;
  tolerance: number;
  loss: number;
  params: ParamCheck[];
}

/**
 * Exchanges the storage (and with it dtype and backend) of two tensors of one size, both keeping
 * their identity: the model's own parameters run on float64 copies this way, and swap back.
 */
function swapStorage(a: Tensor, b: Tensor): void {
  if (a.size !== b.size) throw new Error(`swapStorage: sizes differ (${shapeStr(a.shape)} and ${shapeStr(b.shape)})`);
  if (!a.backend.garbageCollected || !b.backend.garbageCollected) throw new Error('swapStorage: only on garbage-collected (host) storage');
  a.storage('swapStorage');
  b.storage('swapStorage');
  [a.ref, b.ref] = [b.ref, a.ref];
}

function generatorsOf(model: CheckableModel): Generator[] {
  const found = new Set<Generator>([defaultGenerator]);
  const modules = model.namedModules ? model.namedModules().map(([, m]) => m) : [model];
  for (const m of modules) for (const v of Object.values(m)) if (v instanceof Generator) found.add(v);
  return [...found];
}

/** Checks every parameter of `model` on the batch (x, y); the model is unchanged afterwards. */
export function gradcheckModel(model: CheckableModel, lossFn: StepLoss, x: Tensor, y: Tensor, options: ModelGradcheckOptions = {}): ModelGradcheckReport {
  const dtype = options.dtype ?? 'float64';
  const backend: Backend = dtype === 'float64' ? getBackend('js') : x.backend;
  const eps = options.eps ?? (dtype === 'float64' ? 1e-5 : 1e-2);
  const tolerance = options.tolerance ?? (dtype === 'float64' ? 5e-3 : 5e-2);
  const perTensor = options.perTensor ?? 12;
  const pick = new Generator(options.seed ?? 1234);
  const params = model.namedParameters();
  const buffers = model.namedBuffers?.() ?? [];
  const host = (t: Tensor) => (dtype === 'float64' ? Float64Array.from(t.dataSync()) : Float32Array.from(t.dataSync()));

  // Swap every parameter's and buffer's storage for a copy in the checking dtype.
  const wasTraining = model.training;
  const originals = [...params, ...buffers].map(([, t]) => ({ t, grad: t.grad, copy: null as Tensor | null }));
  const hosts = params.map(([, t]) => host(t));
  const generators = generatorsOf(model);
  const states = generators.map((g) => g.getState());
  const resetRandomness = () => generators.forEach((g, i) => g.setState(states[i]));
  try {
    if (!backend.hostVisible) {
      throw new Error("gradcheckModel: cannot perturb parameters in GPU memory; check in float64 on js (the default) or in float32 on js/native (src/inspect/model-gradcheck.ts)");
    }
    originals.forEach((o, i) => {
      o.copy = fromTyped(i < params.length ? hosts[i] : host(o.t), o.t.shape, { backend });
      swapStorage(o.t, o.copy);
      if (i < params.length) o.t.grad = null;
    });
    const xs = fromTyped(host(x), x.shape, { backend });
    const ys = fromTyped(host(y), y.shape, { backend });
    model.train?.(true);   // the training step's function (dropout on, batch statistics)

    const lossOf = (): Tensor => {
      resetRandomness();
      let loss = lossFn(model.forward(xs), ys);
      for (const term of model.takeLosses?.() ?? []) loss = add(loss, term);
      return loss;
    };
    return withDefaultDType(dtype, () => {
      const evaluate = (): number => noGrad(() => tidy(() => lossOf().dataSync()[0]));
      const loss = tidy(() => {
        const l = lossOf();
        l.backward();
        return l.dataSync()[0];
      });
      const report: ParamCheck[] = params.map(([name, t], i) => {
        const analytic = t.grad ? t.grad.dataSync() : new Float64Array(t.size);
        const values = hosts[i];
        const indices = t.size <= perTensor ? Array.from({ length: t.size }, (_, k) => k) : Array.from(pick.permutation(t.size).subarray(0, perTensor));
        let scale = 0;
        for (let k = 0; k < analytic.length; k++) scale = Math.max(scale, Math.abs(analytic[k]));
        const floor = Math.max(1e-3 * scale, 1e-12);
        let maxRel = 0, maxAbs = 0, worst = -1, rechecked = 0;
        for (const k of indices) {
          const orig = values[k];
          const set = (v: number) => {
            values[k] = v;
            tidy(() => { assign(t, fromTyped(values, t.shape, { backend })); });
          };
          // A step across a kink (ReLU at 0, a max-pool tie) measures the average of two slopes:
          // an element that fails is measured again with ε/10 and ε/100, and its best agreement
          // counts. A wrong backward rule disagrees at every step size.
          let best = Infinity, bestAbs = Infinity;
          const relTo = (numeric: number): [number, number] => {
            const abs = Math.abs(analytic[k] - numeric);
            const rel = abs / Math.max(Math.abs(analytic[k]), Math.abs(numeric), floor);
            return [Number.isNaN(rel) ? Infinity : rel, abs];
          };
          let plus = NaN, minus = NaN, lastEps = eps;
          for (let tryEps = eps, attempt = 0; attempt < 3; attempt++, tryEps /= 10) {
            set(orig + tryEps);
            plus = evaluate();
            set(orig - tryEps);
            minus = evaluate();
            set(orig);
            lastEps = tryEps;
            const [rel, abs] = relTo((plus - minus) / (2 * tryEps));
            if (rel < best) { best = rel; bestAbs = abs; }
            if (best <= tolerance) { if (attempt > 0) rechecked++; break; }
          }
          // A kink AT the element (a ReLU input exactly 0, which zero-initialised biases make
          // common) survives every ε: the two one-sided slopes then differ, and backward gives
          // one of them (relu'(0) = 0). Accept that, and only that: a wrong rule away from a
          // kink has equal one-sided slopes and still fails.
          if (best > tolerance) {
            const here = evaluate();
            const right = (plus - here) / lastEps, left = (here - minus) / lastEps;
            const [relRight, absRight] = relTo(right), [relLeft, absLeft] = relTo(left);
            const kinked = Math.abs(right - left) > tolerance * Math.max(Math.abs(right), Math.abs(left), floor);
            const side = relRight < relLeft ? [relRight, absRight] : [relLeft, absLeft];
            if (kinked && side[0] <= tolerance) { best = side[0]; bestAbs = side[1]; rechecked++; }
          }
          if (best > maxRel || worst < 0) { maxRel = best; worst = k; }
          maxAbs = Math.max(maxAbs, bestAbs);
        }
        return { name, shape: t.shape, checked: indices.length, rechecked, maxRelError: maxRel, maxAbsError: maxAbs, worstElement: worst, ok: maxRel <= tolerance };
      });
      return { ok: report.every((r) => r.ok), dtype, eps, tolerance, loss, params: report };
    });
  } finally {
    if (wasTraining === false) model.train?.(false);
    for (const o of originals) {
      if (o.t.grad && o.t.grad !== o.grad) o.t.grad.dispose();
      if (o.copy) { swapStorage(o.t, o.copy); o.copy.dispose(); }
      o.t.grad = o.grad;
    }
    resetRandomness();
  }
}

/** One line per parameter tensor. */
export function formatModelGradcheck(r: ModelGradcheckReport): string {
  const width = Math.max(...r.params.map((p) => p.name.length), 9);
  const lines = r.params.map((p) => `${p.name.padEnd(width)}  [${p.shape.join(', ')}]`.padEnd(width + 18) +
    `  ${p.ok ? 'ok    ' : 'FAILED'}  worst rel error ${p.maxRelError.toExponential(2)} (abs ${p.maxAbsError.toExponential(2)}) over ${p.checked} elements${p.rechecked ? ` (${p.rechecked} near a kink, rechecked with a smaller ε)` : ''}`);
  lines.push(`${r.ok ? 'PASSED' : 'FAILED'}: ${r.params.filter((p) => p.ok).length}/${r.params.length} parameter tensors within ${r.tolerance} ` +
    `(central differences, ε = ${r.eps}, ${r.dtype}; loss ${r.loss.toPrecision(6)})`);
  return lines.join('\n');
}
