// The playground page: picks the backend (webgpu when navigator.gpu gives an adapter, else js;
// `?backend=js` forces js), loads the Fashion-MNIST subset the server serves, and trains the
// session step by step, yielding to the page between steps. The views are redrawn only while
// the time spent drawing stays under VIEW_SHARE of the time spent training, so they slow
// training by less than that share. State for tests: document.body.dataset (backend, adapter,
// cpuFallback, step, loss, ready = "1" after the first step, status, userImages).
import shaders from 'tessera:shaders';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { initWebGPUFrom } from '../../src/backend/webgpu/browser.js';
import { DEFAULT_SETTINGS, MODEL_KINDS, PIXELS, Session, gatherRows, shuffledOrder, type Settings } from './session.js';
import { drawLatent, drawLayers, drawLoss, drawReconstructions, drawStepGraph, drawVae, drawWeights, type LossLog } from './views.js';
import { decodeImageFile, loadFashion, type ImageSet } from './data.js';

/** Drawing starts only while it has taken under this share of the training time: a redraw overshoots it by one redraw, and recorded steps cost a few reads more (the bound on the slowdown is 20%). */
const VIEW_SHARE = 0.08;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const body = document.body.dataset;
const params = new URLSearchParams(location.search);
/** ?views=0 leaves the views but the loss curve undrawn: to measure what they cost. */
const viewsOn = params.get('views') !== '0';

async function chooseBackend(): Promise<{ backend: Backend; adapter: string; note: string; cpu: boolean }> {
  if (params.get('backend') === 'js') return { backend: jsBackend, adapter: 'none (js backend requested)', note: '', cpu: true };
  try {
    const gpu = await initWebGPUFrom(navigator.gpu, { shaders: new Map(Object.entries(shaders)), cores: navigator.hardwareConcurrency || 2 });
    const d = gpu.describe() as { adapter?: string; vendor?: string; architecture?: string; cpu?: boolean };
    const adapter = [d.vendor, d.architecture, d.adapter].filter((s) => s).join(' ') || 'unnamed adapter';
    const note = d.cpu ? 'WebGPU runs on a CPU fallback adapter (e.g. SwiftShader): expect a few steps per second, not a GPU’s speed.' : '';
    return { backend: gpu, adapter, note, cpu: d.cpu === true };
  } catch (e) {
    return { backend: jsBackend, adapter: 'none', note: `No WebGPU here (${(e as Error).message}); training on the js backend.`, cpu: true };
  }
}

function readSettings(): Settings {
  const form = $<HTMLFormElement>('controls');
  const get = (name: string): string => (form.elements.namedItem(name) as HTMLInputElement).value;
  const checked = (name: string): boolean => (form.elements.namedItem(name) as HTMLInputElement).checked;
  const num = (name: string, fallback: number): number => { const v = Number(get(name)); return Number.isFinite(v) ? v : fallback; };
  const model = get('model') as Settings['model'];
  return {
    model: MODEL_KINDS.includes(model) ? model : 'dense',
    latent: Math.max(1, Math.round(num('latent', DEFAULT_SETTINGS.latent))),
    hidden: Math.max(8, Math.round(num('hidden', DEFAULT_SETTINGS.hidden))),
    activation: get('activation') as Settings['activation'],
    optimizer: get('optimizer') as Settings['optimizer'],
    lr: num('lr', DEFAULT_SETTINGS.lr), batchSize: Math.max(1, Math.round(num('batchSize', DEFAULT_SETTINGS.batchSize))),
    dropout: num('dropout', 0), batchNorm: checked('batchNorm'), noise: num('noise', DEFAULT_SETTINGS.noise),
    beta: num('beta', 1), sparsity: num('sparsity', DEFAULT_SETTINGS.sparsity), seed: Math.round(num('seed', 1)),
  };
}

/** URL parameters preset the form (?seed=7&model=vae&lr=0.01 …), so a link reproduces a run. */
function applyUrlSettings(): void {
  const form = $<HTMLFormElement>('controls');
  for (const [key, value] of params) {
    const el = form.elements.namedItem(key) as HTMLInputElement | null;
    if (!el) continue;
    if (el.type === 'checkbox') el.checked = value === '1' || value === 'true'; else el.value = value;
  }
}

async function main(): Promise<void> {
  applyUrlSettings();
  body.status = 'starting';
  const chosen = await chooseBackend();
  Object.assign(body, { backend: chosen.backend.name, adapter: chosen.adapter, cpuFallback: chosen.cpu ? '1' : '0' });
  $('backend').textContent = chosen.backend.name;
  $('adapter').textContent = chosen.adapter;
  $('note').textContent = chosen.note;
  const fashion = await loadFashion();
  const user: ImageSet = { images: new Uint8Array(0), labels: new Int8Array(0), count: 0 };
  $('data-info').textContent = `${fashion.train.count} Fashion-MNIST training and ${fashion.test.count} test images from this server; drop PNGs to add your own.`;
  const testRows = gatherRows(fashion.test.images, Array.from({ length: 256 }, (_, i) => i), 0, 256);
  const mapCount = Math.min(400, fashion.test.count);
  const mapRows = gatherRows(fashion.test.images, Array.from({ length: mapCount }, (_, i) => i), 0, mapCount);

  let session: Session;
  let order: Uint32Array = new Uint32Array(0);
  let pool: Uint8Array = fashion.train.images;
  let cursor = 0;
  let log: LossLog;
  let running = false;
  let trainMs = 0, viewMs = 0, lastView = 0, lastLossDraw = 0;
  let wantGraph = false;
  const rate: number[] = [];

  const trainingPool = (): void => {
    const onlyMine = ($<HTMLFormElement>('controls').elements.namedItem('onlyMine') as HTMLInputElement).checked && user.count > 0;
    pool = onlyMine ? user.images : concat(fashion.train.images, user.images);
    order = shuffledOrder(pool.length / PIXELS, session.batchGenerator);
    cursor = 0;
  };
  const reset = (): void => {
    if (session) for (const p of session.model.parameters()) p.dispose();
    session = new Session(readSettings(), chosen.backend);
    log = { trainSteps: [], train: [], testSteps: [], test: [] };
    trainMs = 0; viewMs = 0; lastView = 0;
    trainingPool();
    Object.assign(body, { step: '0', loss: '', ready: '0' });
    $('step').textContent = '0';
    $('loss').textContent = '–';
  };
  const nextBatch = (): Float32Array => {
    const n = Math.min(session.settings.batchSize, order.length);
    if (cursor + n > order.length) { order = shuffledOrder(order.length, session.batchGenerator); cursor = 0; }
    const rows = gatherRows(pool, order, cursor, n);
    cursor += n;
    return rows;
  };
  const redraw = async (step: number): Promise<void> => {
    const t0 = performance.now();
    log.testSteps.push(step);
    log.test.push(await session.evaluate(testRows));
    drawLoss(log);
    lastLossDraw = performance.now();
    const shown = user.count > 0 ? concat(user.images.subarray(0, Math.min(4, user.count) * PIXELS), fashion.test.images).subarray(0, 8 * PIXELS) : fashion.test.images.subarray(0, 8 * PIXELS);
    await drawReconstructions(session, gatherRows(shown, [0, 1, 2, 3, 4, 5, 6, 7], 0, 8));
    await drawLatent(session, mapRows, fashion.test.labels.subarray(0, mapCount));
    drawWeights(session);
    drawLayers(session);
    await drawVae(session);
    viewMs += performance.now() - t0;
    lastView = performance.now();
  };
  const oneStep = async (): Promise<void> => {
    const rows = nextBatch();
    const due = viewsOn && (session.steps === 0 || (viewMs < VIEW_SHARE * trainMs && performance.now() - lastView > 200));
    const t0 = performance.now();
    let loss: number;
    if (wantGraph) { wantGraph = false; loss = await drawStepGraph(session, rows); session.steps++; } else loss = await session.step(rows, due);
    const t1 = performance.now();
    trainMs += t1 - t0;
    log.trainSteps.push(session.steps);
    log.train.push(loss);
    rate.push(t1);
    while (rate.length > 0 && rate[0] < t1 - 2000) rate.shift();
    Object.assign(body, { step: String(session.steps), loss: String(loss), ready: '1' });
    $('step').textContent = String(session.steps);
    $('loss').textContent = loss.toPrecision(5);
    // Steps finished in the last two seconds over the time they span (a rate needs two of them).
    $('rate').textContent = rate.length < 2 ? '–' : ((1000 * (rate.length - 1)) / (t1 - rate[0])).toFixed(1);
    if (due) await redraw(session.steps);
    else if (t1 - lastLossDraw > 250) {
      // The loss curve costs a few hundred line segments on a canvas: kept current, within the budget.
      drawLoss(log);
      lastLossDraw = performance.now();
      viewMs += lastLossDraw - t1;
    }
    $('overhead').textContent = `views ${((100 * viewMs) / Math.max(1, trainMs)).toFixed(0)}% of training time`;
  };
  // Steps never overlap: a click while one runs queues behind it.
  let queue: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => (queue = queue.then(work, work));
  const loop = async (): Promise<void> => {
    while (running) {
      try {
        await serial(oneStep);
      } catch (e) {
        running = false;
        throw e;
      }
      await yieldToPage();
    }
    body.status = 'paused';
  };

  $('start').onclick = () => { if (!running) { running = true; body.status = 'running'; guard(loop()); } };
  $('pause').onclick = () => { running = false; };
  $('one-step').onclick = () => { if (!running) guard(serial(oneStep)); };
  $('reset').onclick = () => { running = false; guard(serial(async () => reset())); };
  $('explain').onclick = () => { wantGraph = true; if (!running) guard(serial(oneStep)); };
  (($<HTMLFormElement>('controls').elements.namedItem('lr')) as HTMLInputElement).onchange = () => {
    for (const g of session.optimizer.paramGroups) g.lr = readSettings().lr;
  };
  (($<HTMLFormElement>('controls').elements.namedItem('onlyMine')) as HTMLInputElement).onchange = trainingPool;
  const addFiles = async (files: FileList | null): Promise<void> => {
    for (const file of Array.from(files ?? [])) {
      const pixels = await decodeImageFile(file);
      user.images = concat(user.images, pixels);
      user.count++;
    }
    body.userImages = String(user.count);
    $('data-info').textContent = `${fashion.train.count} Fashion-MNIST images + ${user.count} of yours (shown first in the reconstructions).`;
    trainingPool();
    if (!running && session.steps > 0) await serial(() => redraw(session.steps));
  };
  const drop = $('drop');
  drop.ondragover = (e) => { e.preventDefault(); drop.classList.add('over'); };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = (e) => { e.preventDefault(); drop.classList.remove('over'); guard(addFiles(e.dataTransfer?.files ?? null)); };
  $<HTMLInputElement>('files').onchange = (e) => guard(addFiles((e.target as HTMLInputElement).files));

  reset();
  body.status = 'idle';
  if (params.get('autostart') !== '0') $('start').click();
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Lets the page paint and handle input between steps (a message, not setTimeout's ≥4 ms clamp). */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/** Shows a failure of an action on the page and in the dataset (status "error"), for people and tests. */
function showError(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  document.body.dataset.status = 'error';
  document.body.dataset.error = message;
  const note = document.getElementById('note');
  if (note) note.textContent = `error: ${message}`;
  console.error(e);
}

function guard(work: Promise<void>): void {
  work.catch(showError);
}

main().catch(showError);
