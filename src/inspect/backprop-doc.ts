// The numbers of docs/backprop.md, from a seeded run, so the walkthrough cannot go stale: each
// block between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` is produced here, and
// test/inspect/backprop-doc.test.ts regenerates them and fails when the document differs.
// `node scripts/gen-backprop-doc.mjs` (after `npm run build`) rewrites the blocks in place.
//
// The run: the seed's dense autoencoder (784→64→32→64→784, ReLU, sigmoid, MSE, Adam lr 1e-3),
// initialised from Generator(0), on the first 256 Fashion-MNIST test images, on the js backend
// (plain TypeScript float32 kernels: the same numbers on every machine).
import * as fs from 'node:fs';
import '../backend/select.js';
import { getBackend, setBackend } from '../backend/backend.js';
import type { BackendName } from '../backend/backend.js';
import { Generator } from '../random.js';
import { fromTyped } from '../ops/creation.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { loadFashionMnist } from '../data/fashion-mnist.js';
import { denseAutoencoder } from '../models/dense-autoencoder.js';
import { fitPca } from '../eval/pca.js';
import { mseLoss } from '../losses/regression.js';
import { Adam } from '../optim/adam.js';
import { writeFileAtomic } from '../io/atomic.js';
import { explainStep, formatStep } from './explain-step.js';
import { forwardBackward, manualAutoencoder, trainStep } from './manual-backprop.js';
import { table } from './format-number.js';

export const BATCH = 256;
const STEPS = 10;
const LAYERS = ['encoder.0', 'encoder.2', 'decoder.0', 'decoder.2'];
/** The output pixel followed through the chain rule (row 0, a pixel in the middle of the image). */
const PIXEL = 14 * 28 + 14;

const fmt = (v: number, digits = 4) => (v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(digits) : v.toExponential(digits - 1));

function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

const fence = (s: string) => `\`\`\`text\n${s}\n\`\`\``;

/** Every generated block of the document, by name. */
export async function backpropNumbers(): Promise<Record<string, string>> {
  const previous: BackendName = getBackend().name;
  setBackend('js');
  try {
    return await generate();
  } finally {
    setBackend(previous);
  }
}

async function generate(): Promise<Record<string, string>> {
  const images = loadFashionMnist({ split: 'test', limit: BATCH * STEPS }).images;
  const rows = (i: number) => images.slice(i * BATCH * 784, (i + 1) * BATCH * 784);
  const x0 = rows(0);
  const blocks: Record<string, string> = {};

  // ---- one explained step ----------------------------------------------------------------
  const model = denseAutoencoder({ generator: new Generator(0) });
  const named = new Map(model.namedParameters());
  const init = LAYERS.map((l) => ({ weight: named.get(`${l}.weight`)!.dataSync(), bias: named.get(`${l}.bias`)!.dataSync() }));
  const before = new Map([...named].map(([n, p]) => [n, Float32Array.from(p.dataSync())]));
  const x = fromTyped(x0, [BATCH, 784]);
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const e = await explainStep(model, (p, t) => mseLoss(p, t), x, x, optimizer, { modelName: 'the dense autoencoder (seed 0)' });
  blocks.step = fence(formatStep(e));

  // ---- gradients and the update, per parameter ---------------------------------------------
  blocks.gradients = fence(table(['parameter', 'shape', '‖θ‖', '‖dL/dθ‖', 'zero entries of dL/dθ', '‖Δθ‖ (Adam)', '‖Δθ‖ / ‖θ‖'],
    model.namedParameters().map(([name, p]) => {
      const g = p.grad!.dataSync();
      const was = before.get(name)!, now = p.dataSync();
      const delta = was.map((v, i) => now[i] - v);
      let zeros = 0;
      for (let k = 0; k < g.length; k++) if (g[k] === 0) zeros++;
      return [name, `[${p.shape.join(', ')}]`, fmt(norm(was)), fmt(norm(g)), `${(100 * zeros / g.length).toFixed(1)}%`, fmt(norm(delta)), norm(was) > 0 ? fmt(norm(delta) / norm(was)) : '— (θ = 0)'];
    }), [false, false, true, true, true, true, true]));

  // ---- the chain rule on one output pixel, by hand and by the engine -------------------------
  const manual = manualAutoencoder(getBackend('js'), init);
  const { loss, activations } = forwardBackward(manual, x0, BATCH);
  const yHat = activations[activations.length - 1];
  const n = BATCH * 784;
  const i = PIXEL;
  const dY = 2 * (yHat[i] - x0[i]) / n;
  const slope = yHat[i] * (1 - yHat[i]);
  let column = 0;
  for (let r = 0; r < BATCH; r++) {
    const k = r * 784 + PIXEL;
    column += (2 * (yHat[k] - x0[k]) / n) * yHat[k] * (1 - yHat[k]);
  }
  const engineBias = named.get('decoder.2.bias')!.grad!.dataSync()[PIXEL];
  blocks.chain = fence([
    `pixel ${PIXEL} (row 14, column 14) of image 0, n = 256·784 = ${n} terms in the mean`,
    `x        = ${fmt(x0[i], 6)}            (the target: the input pixel)`,
    `ŷ        = ${fmt(yHat[i], 6)}            (σ(z), the reconstruction)`,
    `dL/dŷ    = 2(ŷ − x)/n        = ${fmt(dY, 6)}`,
    `dŷ/dz    = ŷ(1 − ŷ)          = ${fmt(slope, 6)}`,
    `dL/dz    = dL/dŷ · dŷ/dz     = ${fmt(dY * slope, 6)}`,
    `dL/db    = Σ over the 256 rows of dL/dz for this pixel = ${fmt(column, 6)}`,
    `engine   : decoder.2.bias.grad[${PIXEL}]                 = ${fmt(engineBias, 6)}`,
    `loss     = ${fmt(loss, 6)} (by hand) and ${fmt(e.loss, 6)} (explainStep)`,
  ].join('\n'));

  // ---- ten steps, by hand and by autodiff ----------------------------------------------------
  const twin = denseAutoencoder({ generator: new Generator(0) });
  const twinOpt = new Adam(twin.parameters(), { lr: 1e-3 });
  const byHand = manualAutoencoder(getBackend('js'), init);
  const lines: string[][] = [];
  for (let s = 0; s < STEPS; s++) {
    const xs = fromTyped(rows(s), [BATCH, 784]);
    twinOpt.zeroGrad();
    const auto = tidy(() => {
      const l = mseLoss(twin.forward(xs), xs);
      l.backward();
      return l.item();
    });
    twinOpt.step();
    const hand = trainStep(byHand, rows(s), BATCH, 1e-3);
    lines.push([String(s + 1), fmt(auto, 7), fmt(hand, 7), fmt(Math.abs(auto - hand) / auto, 2)]);
  }
  blocks.losses = fence(table(['step', 'autodiff (fit\'s path)', 'by hand (manual-backprop.ts)', 'relative difference'], lines, [true, true, true, true]));

  // ---- PCA on the same images ------------------------------------------------------------------
  const pca = await fitPca(x, 32);
  const pcaMse = noGrad(() => tidy(() => mseLoss(pca.reconstruct(x), x).item()));
  const after = noGrad(() => tidy(() => mseLoss(twin.forward(x), x).item()));
  blocks.pca = fence([
    `PCA, 32 components fitted on these 256 images (closed form): reconstruction MSE ${fmt(pcaMse)}, ` +
    `${(100 * pca.totalExplainedVarianceRatio()).toFixed(1)}% of the variance kept`,
    `the autoencoder on the same images: MSE ${fmt(e.loss)} at initialisation, ${fmt(after)} after ${STEPS} Adam steps`,
  ].join('\n'));
  pca.dispose();
  return blocks;
}

const MARKER = /<!-- generated:([a-z-]+) -->\n([\s\S]*?)\n?<!-- \/generated:\1 -->/g;

/** The generated blocks found in a document, by name. */
export function readGenerated(doc: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of doc.matchAll(MARKER)) out[m[1]] = m[2];
  return out;
}

/** The document with every generated block replaced; throws when a block has no marker pair. */
export function fillGenerated(doc: string, blocks: Record<string, string>): string {
  const found = readGenerated(doc);
  const missing = Object.keys(blocks).filter((k) => !(k in found));
  if (missing.length) throw new Error(`fillGenerated: no <!-- generated:NAME --> markers for ${missing.join(', ')} (src/inspect/backprop-doc.ts)`);
  return doc.replace(MARKER, (all, name: string) => (name in blocks ? `<!-- generated:${name} -->\n${blocks[name]}\n<!-- /generated:${name} -->` : all));
}

/** Rewrites the blocks of `file` (atomically); returns the names of the blocks that changed. */
export async function updateBackpropDoc(file: string): Promise<string[]> {
  const doc = fs.readFileSync(file, 'utf8');
  const blocks = await backpropNumbers();
  const old = readGenerated(doc);
  const changed = Object.keys(blocks).filter((k) => old[k] !== blocks[k]);
  if (changed.length) writeFileAtomic(file, fillGenerated(doc, blocks));
  return changed;
}
