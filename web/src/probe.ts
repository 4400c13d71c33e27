// Per-layer views of a training step: each weighted layer's output (its activations) and the
// gradient of its weight, as a size-normalised norm over time and a histogram at the latest
// recorded step. The layers are instrumented in place: their forward entry points (call, and
// Linear's forwardWith, which Sequential uses when it fuses Linear + activation) keep their
// output while `recording` is on. No DOM, no Node module.
import type { Tensor } from '../../src/tensor.js';
import type { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/linear.js';

export interface Histogram {
  min: number;
  max: number;
  counts: number[];
}

export interface LayerTrace {
  name: string;
  /** Root mean square of the layer's output, per recorded step. */
  activationRms: number[];
  /** Root mean square of ∂loss/∂weight, per recorded step. */
  gradientRms: number[];
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

export function rms(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s / Math.max(1, values.length));
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
    this.layers = this.probed.map((p) => ({ name: `${p.name} ${p.module.describe()}`, activationRms: [], gradientRms: [], activationHist: null, gradientHist: null }));
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

  /** Reads what the last recorded step kept (outputs, weight gradients, the first weight) and frees the outputs. */
  async collect(step: number): Promise<void> {
    this.steps.push(step);
    for (let i = 0; i < this.probed.length; i++) {
      const p = this.probed[i], trace = this.layers[i];
      const out = this.outputs.get(p.name);
      const act = out ? await out.data() : new Float32Array(0);
      out?.dispose();
      const grad = p.module.weight.grad ? await p.module.weight.grad.data() : new Float32Array(0);
      trace.activationRms.push(rms(act));
      trace.gradientRms.push(rms(grad));
      trace.activationHist = act.length ? histogram(act) : null;
      trace.gradientHist = grad.length ? histogram(grad) : null;
    }
    this.outputs.clear();
    const first = this.probed[0]?.module.weight;
    if (first) this.firstWeight = { data: Float32Array.from(await first.data()), shape: first.shape };
  }
}
