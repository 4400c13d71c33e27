// The playground's live views, each drawn from the session's state: loss curves, inputs over
// reconstructions, the latent map, first-layer weights, per-layer norms and histograms, VAE
// samples and a latent walk, and the traced step's graph. A view that needs the backend (a
// forward pass, a read) is split in two: `fetch…` does that work and returns the drawing, which
// the page runs in an animation frame; views drawn from what the page already holds draw at once.
import { VAE } from '../../src/models/vae.js';
import { Generator } from '../../src/random.js';
import { explainStep, formatStep } from '../../src/inspect/explain-step.js';
import { buildStepGraph } from '../../src/inspect/step-graph.js';
import { graphToSvg } from '../../src/inspect/svg-graph.js';
import { fromTyped } from '../../src/ops/creation.js';
import { IMAGE_SIZE, PIXELS, type Session } from './session.js';
import { bars, chartIn, clearedContext, formatValue, imageGrid, lineChart, scatter } from './plots.js';
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

/** A drawing to run later (in an animation frame), made from data already read from the backend. */
export type Drawing = () => void;

/** Inputs (first row) over their reconstructions (second row), 8 of each. */
export async function fetchReconstructions(session: Session, inputs: Float32Array): Promise<Drawing> {
  const recon = await session.reconstruct(inputs);
  const n = inputs.length / PIXELS;
  const both = new Float32Array(2 * n * PIXELS);
  both.set(inputs, 0);
  both.set(recon, n * PIXELS);
  return () => { imageGrid($('recon'), both, IMAGE_SIZE, IMAGE_SIZE, n); };
}

/** The codes of `rows` in 2-D (the code itself when it has 2 values, else its top two principal axes). */
export async function fetchLatent(session: Session, rows: Float32Array, labels: ArrayLike<number>): Promise<Drawing> {
  const { codes, latent } = await session.encode(rows);
  return () => {
    const { xs, ys, how } = project2d(codes, latent);
    scatter($('latent'), xs, ys, labels, how);
  };
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

const ACTIVATION_COLOR = '#1f77b4', GRADIENT_COLOR = '#d62728';

/**
 * One column per weighted layer: its activation RMS and its weight-gradient RMS over the recorded
 * steps, each on its own log axis (their sizes differ by orders of magnitude, and each one's
 * course over training is what shows), then both histograms at the last full read.
 */
export function drawLayers(session: Session): void {
  const canvas = $<HTMLCanvasElement>('layers');
  const probe = session.probe;
  const ctx = clearedContext(canvas);
  const n = probe.layers.length;
  if (n === 0) { ctx.fillText('this model has no weighted layer to probe', 10, 20); return; }
  const pw = canvas.width / n, chartH = 96, histTop = 16 + 2 * chartH + 8, histH = canvas.height - histTop - 14;
  probe.layers.forEach((layer, i) => {
    const x = i * pw;
    ctx.fillStyle = '#222';
    ctx.font = 'bold 11px sans-serif';
    ctx.fillText(layer.name.slice(0, Math.floor(pw / 6)), x + 4, 11);
    ctx.font = '10px sans-serif';
    const last = (v: number[]): string => formatValue(v[v.length - 1] ?? NaN);
    chartIn(ctx, { x: x + 2, y: 16, w: pw - 10, h: chartH }, [{ name: 'activation RMS', color: ACTIVATION_COLOR, xs: probe.steps, ys: layer.activationRms }],
      { log: true, points: probe.steps.length < 40, title: `activation RMS (now ${last(layer.activationRms)})`, xLabel: 'step' });
    chartIn(ctx, { x: x + 2, y: 16 + chartH, w: pw - 10, h: chartH }, [{ name: '∂loss/∂W RMS', color: GRADIENT_COLOR, xs: probe.steps, ys: layer.gradientRms }],
      { log: true, points: probe.steps.length < 40, title: `∂loss/∂W RMS (now ${last(layer.gradientRms)})`, xLabel: 'step' });
    ctx.fillStyle = '#333';
    ctx.fillText(layer.histStep === null ? 'histograms: not read yet' : `histograms at step ${layer.histStep}`, x + 4, histTop - 1);
    const hist = (h: typeof layer.activationHist, hx: number, color: string, what: string): void => {
      if (!h) return;
      bars(ctx, hx, histTop + 4, pw / 2 - 12, histH - 8, h.counts, color);
      ctx.fillStyle = '#555';
      ctx.fillText(`${what} ${formatValue(h.min)} … ${formatValue(h.max)}`, hx, histTop + histH + 8);
    };
    hist(layer.activationHist, x + 4, ACTIVATION_COLOR, 'act');
    hist(layer.gradientHist, x + pw / 2, GRADIENT_COLOR, 'grad');
  });
}

/** Shows the VAE's two cards only for the VAE. */
export function showVaeCards(isVae: boolean): void {
  for (const id of ['vae-samples-card', 'vae-walk-card']) $(id).style.display = isVae ? '' : 'none';
}

const WALK_SIDE = 8, WALK_RANGE = 2.5;

/** VAE samples: 16 decodings of z ~ N(0, I), fixed draws (seed + 2), so their change over training shows. */
export async function fetchVaeSamples(session: Session): Promise<Drawing | undefined> {
  const model = session.model;
  if (!(model instanceof VAE)) return undefined;
  const latent = model.latent;
  const gen = new Generator(session.settings.seed + 2);
  const images = await session.decode(new Float32Array(16 * latent).map(() => gen.normal()), latent);
  return () => { imageGrid($('vae-samples'), images, IMAGE_SIZE, IMAGE_SIZE, 8); };
}

/** VAE latent walk: an 8×8 grid of decodings, z₁ from −2.5 to 2.5 left to right, z₂ from 2.5 to −2.5 top to bottom, other z 0. */
export async function fetchVaeWalk(session: Session): Promise<Drawing | undefined> {
  const model = session.model;
  if (!(model instanceof VAE)) return undefined;
  const latent = model.latent;
  const walk = new Float32Array(WALK_SIDE * WALK_SIDE * latent);
  const at = (k: number): number => -WALK_RANGE + (2 * WALK_RANGE * k) / (WALK_SIDE - 1);
  for (let r = 0; r < WALK_SIDE; r++) for (let c = 0; c < WALK_SIDE; c++) {
    walk[(r * WALK_SIDE + c) * latent] = at(c);
    if (latent > 1) walk[(r * WALK_SIDE + c) * latent + 1] = -at(r);
  }
  const images = await session.decode(walk, latent);
  return () => {
    const canvas = $<HTMLCanvasElement>('vae-walk');
    imageGrid(canvas, images, IMAGE_SIZE, IMAGE_SIZE, WALK_SIDE, { top: 14 });
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#333';
    ctx.font = '10px sans-serif';
    const rest = latent > 2 ? `, z₃…z${latent} = 0` : '';
    ctx.fillText(latent > 1 ? `z₁ ${-WALK_RANGE} → ${WALK_RANGE} across, z₂ ${WALK_RANGE} → ${-WALK_RANGE} down${rest}` : `z₁ ${-WALK_RANGE} → ${WALK_RANGE} across (one latent value: rows repeat)`, 2, 10);
  };
}

/** Runs the next training step traced, as `tessera explain` does, and draws its graph. */
export async function drawStepGraph(session: Session, rows: Float32Array): Promise<number> {
  const x = fromTyped(rows, session.batchShape(rows.length / PIXELS), { backend: session.backend });
  try {
    const e = await explainStep(session.model, session.objective.lossFn, x, x, session.optimizer, { modelName: session.settings.model });
    $('graph').innerHTML = graphToSvg(buildStepGraph(e, { backward: true }), `one training step of the ${session.settings.model} model`);
    $('graph-text').textContent = formatStep(e);
    return e.loss;
  } finally {
    x.dispose();
  }
}
