// The playground page: picks the backend (backend-choice.ts: webgpu, else wasm, else js;
// `?backend=` asks for one), loads the Fashion-MNIST subset the server serves, and trains the
// session step by step, yielding to the page between steps. The views take turns, one piece of
// work after a step, only while they have used under their share of the training time
// (view-schedule.ts), and draw in animation frames; a paused page draws them all. State for
// tests: document.body.dataset (backend, backendWhy, adapter, cpuFallback, threads, threadsWhy, step, loss, ready =
// "1" after the first step, status, userImages, normSteps = steps with per-layer norms recorded).
import { chooseBackend, wasmThreads } from './backend-choice.js';
import { DEFAULT_SETTINGS, MODEL_KINDS, PIXELS, Session, gatherRows, type Settings } from './session.js';
import {
  drawLayers, drawLoss, drawStepGraph, drawWeights, fetchLatent, fetchReconstructions, fetchVaeSamples, fetchVaeWalk, showVaeCards, type LossLog,
} from './views.js';
import { FrameDrawer, ViewBudget } from './view-schedule.js';
import { decodeImageFile, loadFashion, type ImageSet } from './data.js';

/**
 * The views' budgets, as shares of the training time (the issue bounds the slowdown at 20%): the
 * views that read from the backend and draw (one per due step, in turn), and the per-layer norms
 * recorded on more steps (one small read each) so that their curves have points.
 */
const VIEW_SHARE = 0.05;
const NORMS_SHARE = 0.025;
/**
 * And a bound on the time between training steps while running, beyond what steps without view
 * work take there (yielding, the header), over the training time: what the budgets cannot see
 * (the browser repainting the canvases, garbage collection) shows there. Views wait while it is exceeded.
 */
const WALL_SHARE = 0.1;
/** The views in the order they take turns; `layers` records a step in full (norms, histograms, first weights). */
const VIEW_TASKS = ['layers', 'test', 'recon', 'latent', 'vae-samples', 'vae-walk'] as const;
type ViewTask = (typeof VIEW_TASKS)[number];
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const body = document.body.dataset;
const params = new URLSearchParams(location.search);
/** ?views=0 leaves the views but the loss curve undrawn: to measure what they cost. */
const viewsOn = params.get('views') !== '0';

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
  const chosen = await chooseBackend(params.get('backend'), wasmThreads(params.get('threads'), navigator.hardwareConcurrency || 1));
  Object.assign(body, {
    backend: chosen.backend.name, backendWhy: chosen.why, adapter: chosen.adapter, cpuFallback: chosen.cpu ? '1' : '0',
    threads: chosen.threads === null ? '' : String(chosen.threads), threadsWhy: chosen.threadsWhy,
  });
  $('backend').textContent = chosen.backend.name;
  $('backend').title = chosen.why;
  $('backend-why').textContent = `(${chosen.why})`;
  $('adapter').textContent = chosen.adapter;
  $('threads').textContent = chosen.threads === null ? 'the GPU’s' : String(chosen.threads);
  $('threads-why').textContent = chosen.threadsWhy === '' ? '' : `(${chosen.threadsWhy})`;
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
  let trainMs = 0, lastLossDraw = 0, nextTask = 0;
  /** The running loop: training time, time between steps (all of it, and in the steps that did no view work), steps of each kind. */
  let loopTrainMs = 0, betweenMs = 0, plainBetweenMs = 0, loopSteps = 0, plainSteps = 0;
  /** Whether the last step did view work; null: leave it out of the loop's accounting (the first step). */
  let stepDidViews: boolean | null = false;
  /** Time between steps beyond what plain steps take there. */
  const viewExtraMs = (): number => betweenMs - (plainSteps > 0 ? (plainBetweenMs / plainSteps) * loopSteps : 0);
  let viewBudget = new ViewBudget(VIEW_SHARE), normsBudget = new ViewBudget(NORMS_SHARE);
  let frames = new FrameDrawer(viewBudget);
  let tasks: ViewTask[] = [];
  let wantGraph = false;
  const rate: number[] = [];

  const trainingPool = (): void => {
    const onlyMine = ($<HTMLFormElement>('controls').elements.namedItem('onlyMine') as HTMLInputElement).checked && user.count > 0;
    pool = onlyMine ? user.images : concat(fashion.train.images, user.images);
    order = session.batchGenerator.permutation(pool.length / PIXELS);
    cursor = 0;
  };
  const reset = (): void => {
    if (session) for (const p of session.model.parameters()) p.dispose();
    session = new Session(readSettings(), chosen.backend);
    log = { trainSteps: [], train: [], testSteps: [], test: [] };
    trainMs = 0; lastLossDraw = 0; nextTask = 0;
    loopTrainMs = 0; betweenMs = 0; plainBetweenMs = 0; loopSteps = 0; plainSteps = 0;
    frames.clear();
    viewBudget = new ViewBudget(VIEW_SHARE);
    normsBudget = new ViewBudget(NORMS_SHARE);
    frames = new FrameDrawer(viewBudget);
    tasks = VIEW_TASKS.filter((t) => !t.startsWith('vae') || session.settings.model === 'vae');
    showVaeCards(session.settings.model === 'vae');
    trainingPool();
    Object.assign(body, { step: '0', loss: '', ready: '0', normSteps: '0' });
    $('step').textContent = '0';
    $('loss').textContent = '–';
  };
  const nextBatch = (): Float32Array => {
    const n = Math.min(session.settings.batchSize, order.length);
    if (cursor + n > order.length) { order = session.batchGenerator.permutation(order.length); cursor = 0; }
    const rows = gatherRows(pool, order, cursor, n);
    cursor += n;
    return rows;
  };
  const shownRows = (): Float32Array => {
    const shown = user.count > 0 ? concat(user.images.subarray(0, Math.min(4, user.count) * PIXELS), fashion.test.images.subarray(0, 8 * PIXELS)) : fashion.test.images;
    return gatherRows(shown, [0, 1, 2, 3, 4, 5, 6, 7], 0, 8);
  };
  /** One view's work: what it reads from the backend now, and its drawing for the next frame. */
  const runTask = async (task: ViewTask): Promise<void> => {
    switch (task) {
      case 'layers': frames.draw('weights', () => drawWeights(session)); break;
      case 'test': log.testSteps.push(session.steps); log.test.push(await session.evaluate(testRows)); frames.draw('loss', () => drawLoss(log)); break;
      case 'recon': frames.draw('recon', await fetchReconstructions(session, shownRows())); break;
      case 'latent': frames.draw('latent', await fetchLatent(session, mapRows, fashion.test.labels.subarray(0, mapCount))); break;
      case 'vae-samples': frames.draw('vae-samples', await fetchVaeSamples(session)); break;
      case 'vae-walk': frames.draw('vae-walk', await fetchVaeWalk(session)); break;
    }
  };
  /** Every view brought up to date and drawn now, outside the budgets (a paused page, a dropped image). */
  const refreshAll = async (): Promise<void> => {
    if (session.steps === 0) return;
    for (const task of tasks) await runTask(task);
    frames.draw('layers', () => drawLayers(session));
    frames.draw('loss', () => drawLoss(log));
    frames.flush(false);
  };
  const oneStep = async (inLoop = false): Promise<void> => {
    const rows = nextBatch();
    // The first step shows every view, outside the budgets: it compiles what the views run (the
    // JIT, webgpu's pipelines), a one-off cost that would otherwise hold them back for many steps.
    const first = viewsOn && session.steps === 0 && !wantGraph;
    const wallAllows = viewExtraMs() <= WALL_SHARE * loopTrainMs;
    const task = viewsOn && !first && wallAllows && viewBudget.allows(trainMs) ? tasks[nextTask % tasks.length] : null;
    const recordNorms = first || (viewsOn && wallAllows && !wantGraph && (task === 'layers' || normsBudget.allows(trainMs)));
    const t0 = performance.now();
    let loss: number;
    if (wantGraph) { wantGraph = false; loss = await drawStepGraph(session, rows); session.steps++; } else loss = await session.step(rows, recordNorms);
    const t1 = performance.now();
    trainMs += t1 - t0;
    if (inLoop && !first) loopTrainMs += t1 - t0;
    stepDidViews = task !== null || recordNorms;
    log.trainSteps.push(session.steps);
    log.train.push(loss);
    rate.push(t1);
    while (rate.length > 0 && rate[0] < t1 - 2000) rate.shift();
    Object.assign(body, { step: String(session.steps), loss: String(loss), ready: '1' });
    $('step').textContent = String(session.steps);
    $('loss').textContent = loss.toPrecision(5);
    // Steps finished in the last two seconds over the time they span (a rate needs two of them).
    $('rate').textContent = rate.length < 2 ? '–' : ((1000 * (rate.length - 1)) / (t1 - rate[0])).toFixed(1);
    if (first) {
      await session.probe.collect(session.steps, true);
      await refreshAll();
      stepDidViews = null;
    } else if (recordNorms) {
      await (task === 'layers' ? viewBudget : normsBudget).charge(() => session.probe.collect(session.steps, task === 'layers'));
      frames.draw('layers', () => drawLayers(session));
      body.normSteps = String(session.probe.steps.length);
    }
    if (task !== null) {
      nextTask++;
      await viewBudget.charge(() => runTask(task));
    }
    // The loss curve (a few hundred line segments) is kept current: asked for every 250 ms, drawn with the next frame.
    if (t1 - lastLossDraw > 250) { frames.draw('loss', () => drawLoss(log), false); lastLossDraw = t1; }
    const share = (viewBudget.spentMs + normsBudget.spentMs) / Math.max(1, trainMs);
    const between = loopTrainMs > 0 ? `; between steps, beyond plain steps ${((100 * viewExtraMs()) / loopTrainMs).toFixed(0)}%` : '';
    $('overhead').textContent = `views ${(100 * share).toFixed(0)}% of training time${between}`;
  };
  // Steps never overlap: a click while one runs queues behind it.
  let queue: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => (queue = queue.then(work, work));
  const loop = async (): Promise<void> => {
    while (running) {
      const t0 = performance.now();
      const trainedBefore = loopTrainMs;
      try {
        await serial(() => oneStep(true));
      } catch (e) {
        running = false;
        throw e;
      }
      await yieldToPage();
      if (stepDidViews === null) continue;
      const between = performance.now() - t0 - (loopTrainMs - trainedBefore);
      betweenMs += between;
      loopSteps++;
      if (!stepDidViews) { plainBetweenMs += between; plainSteps++; }
    }
    await serial(refreshAll);
    body.status = 'paused';
  };

  $('start').onclick = () => { if (!running) { running = true; body.status = 'running'; guard(loop()); } };
  $('pause').onclick = () => { running = false; };
  $('one-step').onclick = () => { if (!running) guard(serial(() => oneStep())); };
  $('reset').onclick = () => { running = false; guard(serial(async () => reset())); };
  $('explain').onclick = () => { wantGraph = true; if (!running) guard(serial(() => oneStep())); };
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
    if (!running) await serial(refreshAll);
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
