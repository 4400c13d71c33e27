// Per-layer views of a training step: each weighted layer's output (its activations) and the
// gradient of its weight, as a size-normalised norm (RMS) over time and a histogram at the latest
// fully read step. The norms are reduced on the backend and read back together, one small read
// per recorded step, so they can be recorded often; the histograms need whole tensors and are
// read less often. The layers are instrumented in place: their forward entry points (call, and
// Linear's forwardWith, which Sequential uses when it fuses Linear + activation) keep their
// output while `recording` is on. No DOM, no Node module.
import type { Tensor } from '../../src/tensor.js';
import type { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/linear.js';
import { noGrad } from '../../src/autograd.js';
import { tidy } from '../../src/memory.js';
import { mul } from '../../src/ops/elementwise.js';
import { mean } from '../../src/ops/reduce.js';
import { stack } from '../../src/ops/shape-ops.js';

export interface Histogram {
  min: number;
  max: number;
  counts: number[];
}

export interface LayerTrace {
  name: string;
  /** Root mean square of the layer's output, per recorded step (LayerProbe.steps). */
  activationRms: number[];
  /** Root mean square of ∂loss/∂weight, per recorded step. */
  gradientRms: number[];
  /** Histograms as of this step (null: none read yet). */
  histStep: number | null;
  activationHist: Histogram | null;
  gradientHist: Histogram | null;
}

export function histogram(values: ArrayLike<number>, bins = 24): Histogram {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; i++) { const v = values[i]; if (v < min) min = v; if (v > max) max = v; }
  if (!(max > min)) { max = min + 1e-6; }
  const counts = new Array<number>(bins).fill(0);
  const scale = bins / (max - min);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor((values[i] - min) * scale))]++;
  return { min, max, counts };
}

interface Probed { name: string; module: Module & { weight: Tensor } }

export class LayerProbe {
  recording = false;
  /** Steps at which the traces were recorded (the x axis of the norms). */
  readonly steps: number[] = [];
  readonly layers: LayerTrace[];
  private readonly probed: Probed[];
  private readonly outputs = new Map<string, Tensor>();
  /** The first weighted layer's weight at the last recorded step, with its shape. */
  firstWeight: { data: Float32Array; shape: readonly number[] } | null = null;

  constructor(model: Module) {
    this.probed = model.namedModules()
      .filter(([, m]) => (m as { weight?: unknown }).weight !== undefined && m.children().length === 0)
      .map(([name, m]) => ({ name, module: m as Module & { weight: Tensor } }));
    this.layers = this.probed.map((p) => ({ name: `${p.name} ${p.module.describe()}`, activationRms: [], gradientRms: [], activationHist: null, gradientHist: null, histStep: null }));
    for (const p of this.probed) this.instrument(p);
  }

  private instrument(p: Probed): void {
    const keep = (y: Tensor): Tensor => {
      if (!this.recording) return y;
      // Linear.call goes through forwardWith: the same output arrives twice and must not be freed.
      const previous = this.outputs.get(p.name);
      if (previous !== y) previous?.dispose();
      this.outputs.set(p.name, y.keep());
      return y;
    };
    const m = p.module;
    const call = m.call.bind(m);
    m.call = (x: Tensor) => keep(call(x));
    if (m instanceof Linear) {
      const forwardWith = m.forwardWith.bind(m);
      m.forwardWith = ((x: Tensor, act: Parameters<Linear['forwardWith']>[1]) => keep(forwardWith(x, act))) as Linear['forwardWith'];
    }
  }

  /**
   * Reads what the last recorded step kept and frees it: the norms (mean squares reduced on the
   * backend, one read for all layers) and, with `full`, the histograms and the first weight.
   */
  async collect(step: number, full: boolean): Promise<void> {
    const kept = this.probed.map((p) => ({ out: this.outputs.get(p.name) ?? null, grad: p.module.weight.grad ?? null }));
    try {
      const tensors = kept.flatMap((k) => [k.out, k.grad]).filter((t): t is Tensor => t !== null);
      if (tensors.length > 0) {
        const squares = noGrad(() => tidy(() => stack(tensors.map((t) => mean(mul(t, t))))));
        const meanSquares = Float32Array.from(await squares.data());
        squares.dispose();
        this.steps.push(step);
        let at = 0;
        kept.forEach((k, i) => {
          this.layers[i].activationRms.push(k.out ? Math.sqrt(meanSquares[at++]) : NaN);
          this.layers[i].gradientRms.push(k.grad ? Math.sqrt(meanSquares[at++]) : NaN);
        });
      }
      if (!full) return;
      // All reads at once: on webgpu each is a round trip to the device, and they overlap.
      const first = this.probed[0]?.module.weight;
      const [reads, firstData] = await Promise.all([
        Promise.all(kept.map((k) => Promise.all([k.out?.data() ?? null, k.grad?.data() ?? null]))),
        first ? first.data() : null,
      ]);
      reads.forEach(([act, grad], i) => {
        const trace = this.layers[i];
        trace.activationHist = act ? histogram(act) : null;
        trace.gradientHist = grad ? histogram(grad) : null;
        trace.histStep = step;
      });
      if (first && firstData) this.firstWeight = { data: Float32Array.from(firstData), shape: first.shape };
    } finally {
      for (const k of kept) k.out?.dispose();
      this.outputs.clear();
    }
  }
}
