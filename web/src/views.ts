// The playground's live views, each drawn from the session's state: loss curves, inputs over
// reconstructions, the latent map, first-layer weights, per-layer norms and histograms, VAE
// samples and a latent walk, and the traced step's graph.
import { VAE } from '../../src/models/vae.js';
import { Generator } from '../../src/random.js';
import { explainStep, formatStep } from '../../src/inspect/explain-step.js';
import { buildStepGraph } from '../../src/inspect/step-graph.js';
import { graphToSvg } from '../../src/inspect/svg-graph.js';
import { fromTyped } from '../../src/ops/creation.js';
import { IMAGE_SIZE, PIXELS, type Session } from './session.js';
import { bars, clearedContext, formatValue, imageGrid, lineChart, scatter } from './plots.js';
import { project2d } from './project.js';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: the page has no #${id}`);
  return el as T;
};

export interface LossLog { trainSteps: number[]; train: number[]; testSteps: number[]; test: number[] }

export function drawLoss(log: LossLog): void {
  lineChart($('loss-chart'), [
    { name: 'train', color: '#1f77b4', xs: log.trainSteps, ys: log.train },
    { name: 'test', color: '#d62728', xs: log.testSteps, ys: log.test },
  ], { log: true });
}

/** Inputs (first row) over their reconstructions (second row), 8 of each. */
export async function drawReconstructions(session: Session, inputs: Float32Array): Promise<void> {
  const { recon } = await session.reconstruct(inputs);
  const n = inputs.length / PIXELS;
  const both = new Float32Array(2 * n * PIXELS);
  both.set(inputs, 0);
  both.set(recon, n * PIXELS);
  imageGrid($('recon'), both, IMAGE_SIZE, IMAGE_SIZE, n);
}

/** The codes of `rows` in 2-D (the code itself when it has 2 values, else its top two principal axes). */
export async function drawLatent(session: Session, rows: Float32Array, labels: ArrayLike<number>): Promise<void> {
  const { codes, latent } = await session.reconstruct(rows);
  const { xs, ys, how } = project2d(codes, latent);
  scatter($('latent'), xs, ys, labels, how);
}

/** The first weighted layer's weight, one tile per output unit (Linear: 28×28; conv: its kernel). */
export function drawWeights(session: Session): void {
  const w = session.probe.firstWeight;
  const canvas = $<HTMLCanvasElement>('weights');
  if (!w) { clearedContext(canvas).fillText('recorded at the next view update', 10, 20); return; }
  if (w.shape.length === 2 && w.shape[1] === PIXELS) {
    imageGrid(canvas, w.data.subarray(0, Math.min(w.shape[0], 48) * PIXELS), IMAGE_SIZE, IMAGE_SIZE, 8, { signed: true });
  } else if (w.shape.length === 4) {
    const [, , kh, kw] = w.shape;
    imageGrid(canvas, w.data.subarray(0, Math.min(64, w.data.length / (kh * kw)) * kh * kw), kw, kh, 8, { signed: true });
  }
}

/** One panel per layer: activation and gradient RMS over steps (log scale), and both histograms. */
export function drawLayers(session: Session): void {
  const canvas = $<HTMLCanvasElement>('layers');
  const probe = session.probe;
  const ctx = clearedContext(canvas);
  const n = probe.layers.length;
  if (n === 0) return;
  const pw = canvas.width / n;
  probe.layers.forEach((layer, i) => {
    const x = i * pw;
    ctx.fillStyle = '#333';
    ctx.fillText(layer.name.slice(0, Math.floor(pw / 5.5)), x + 4, 10);
    // The RMS curves, each scaled to its own range (log): the shapes over time are what matter.
    const curve = (values: number[], color: string, top: number): void => {
      const logs = values.map((v) => Math.log10(Math.max(v, 1e-12)));
      const lo = Math.min(...logs), hi = Math.max(...logs);
      ctx.strokeStyle = color;
      ctx.beginPath();
      logs.forEach((v, k) => {
        const px = x + 4 + (k / Math.max(1, logs.length - 1)) * (pw - 12);
        const py = top + 40 - ((v - lo) / Math.max(hi - lo, 1e-9)) * 38;
        if (k === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
      });
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.fillText(formatValue(values[values.length - 1] ?? NaN), x + pw - 58, top + 8);
    };
    ctx.fillStyle = '#1f77b4'; ctx.fillText('activation RMS', x + 4, 22);
    curve(layer.activationRms, '#1f77b4', 24);
    ctx.fillStyle = '#d62728'; ctx.fillText('grad RMS', x + 4, 78);
    curve(layer.gradientRms, '#d62728', 80);
    if (layer.activationHist) bars(ctx, x + 4, 130, pw / 2 - 10, 40, layer.activationHist.counts, '#1f77b4');
    if (layer.gradientHist) bars(ctx, x + pw / 2, 130, pw / 2 - 10, 40, layer.gradientHist.counts, '#d62728');
  });
}

/** VAE: 16 samples z ~ N(0, I) (fixed draws, so the change over training shows) and an 8×8 walk over z₁, z₂. */
export async function drawVae(session: Session): Promise<void> {
  const card = $('vae-card');
  const model = session.model;
  card.style.display = model instanceof VAE ? '' : 'none';
  if (!(model instanceof VAE)) return;
  const latent = model.latent;
  const gen = new Generator(session.settings.seed + 2);
  const codes = new Float32Array(16 * latent).map(() => gen.normal());
  const walk = new Float32Array(64 * latent);
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) {
    walk[(r * 8 + c) * latent] = -2.5 + (5 * c) / 7;
    if (latent > 1) walk[(r * 8 + c) * latent + 1] = 2.5 - (5 * r) / 7;
  }
  const images = await session.decode(new Float32Array([...codes, ...walk]), latent);
  imageGrid($('vae'), images, IMAGE_SIZE, IMAGE_SIZE, 10);
}

/** Runs the next training step traced, as `tessera explain` does, and draws its graph. */
export async function drawStepGraph(session: Session, rows: Float32Array): Promise<number> {
  const x = fromTyped(rows, session.batchShape(rows.length / PIXELS), { backend: session.backend });
  try {
    const e = await explainStep(session.model, session.lossFn, x, x, session.optimizer, { modelName: session.settings.model });
    $('graph').innerHTML = graphToSvg(buildStepGraph(e, { backward: true }), `one training step of the ${session.settings.model} model`);
    $('graph-text').textContent = formatStep(e);
    return e.loss;
  } finally {
    x.dispose();
  }
}
