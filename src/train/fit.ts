// fit(): Keras's training loop over PyTorch-style pieces. For each epoch: shuffle (seeded),
// then for each batch
//   zeroGrad → forward → loss (+ added terms + penalties) → backward → clip → optimizer.step()
// inside one tidy scope (everything the step allocates is freed at its end), reading the loss
// once per step (every `lossReadEvery` steps on webgpu). Then validation in eval mode under
// noGrad, the schedule, callbacks and the progress line.
import type { Tensor } from '../tensor.js';
import type { Backend } from '../backend/backend.js';
import type { Module } from '../nn/module.js';
import { getBackend } from '../backend/backend.js';
import { fromTyped } from '../ops/creation.js';
import { tidy } from '../memory.js';
import { Optimizer } from '../optim/optimizer.js';
import type { Scheduler } from '../optim/schedules.js';
import { clipGradNormTensor, clipGradValue } from '../optim/clip.js';
import { defaultGenerator, type Generator } from '../random.js';
import type { Dataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import { applyNoise, validateNoise, type NoiseSpec } from '../data/noise.js';
import { BatchBuilder, checkRows, identityOrder, rowRange, toDataset } from './data-source.js';
import { LossMeter, canReadSync } from './loss-meter.js';
import { makeObjective, objective, type Objective } from './loss.js';
import type { LossFunction } from '../losses/get-loss.js';
import type { LossName } from '../losses/get-loss.js';
import { checkMetrics, METRIC_LOG_KEYS, MetricMeter, type MetricName } from './metrics.js';
import { evaluateLoss } from './evaluate.js';
import { emptyHistory, type History } from './history.js';
import type { BatchLogs, Callback, CallbackResult, EpochLogs, TrainContext } from './callbacks.js';
import { createProgressReporter, type ProgressMode, type ProgressReporter, type ProgressStream } from './progress.js';

export type { NoiseSpec } from '../data/noise.js';

export interface FitOptions {
  optimizer: Optimizer;
  /** A loss function or a loss's name (a misspelt name does not compile). */
  loss: LossFunction | LossName;
  epochs: number;
  /** Rows per step (default 32, Keras's); ignored when x is a DataLoader (it has its own). */
  batchSize?: number;
  /** Reshuffle the rows every epoch (default true). */
  shuffle?: boolean;
  /** Source of the shuffle order and the input noise (default: the global generator). */
  generator?: Generator;
  /** [x, y]; y null means y = x (autoencoders). Evaluated after every epoch. */
  validationData?: [Tensor | Dataset, Tensor | Dataset | null];
  /**
   * Keras's validation_split: hold out the LAST fraction of the rows of x (and y), taken before
   * any shuffling, as validation data; fit trains on the rest. In (0, 1). As in Keras,
   * validationData wins when both are given (the split is then not made). Not with a DataLoader.
   */
  validationSplit?: number;
  /** Computed on the validation data after every epoch: history.valMse, valMae, valPsnr, valBce. */
  metrics?: readonly MetricName[];
  callbacks?: Callback[];
  /** Default 'none': fit prints nothing unless asked (the CLI passes 'auto'). */
  progress?: ProgressMode | ProgressReporter;
  /** Where the progress reporter writes (default process.stderr). */
  progressStream?: ProgressStream;
  scheduler?: Scheduler;
  /** Step the schedule after every epoch (default) or after every batch. */
  schedulerInterval?: 'epoch' | 'batch';
  clipNorm?: number;
  clipValue?: number;
  /** Weight penalties added to the loss: l1·Σ|w| + l2·Σw² over weights of rank ≥ 2. */
  l1?: number;
  l2?: number;
  /** Denoising: noise on the input batch only; the target stays clean. */
  inputNoise?: NoiseSpec;
  /** Resume: the first epoch to run (epochs already done); `epochs` is the final epoch count. */
  initialEpoch?: number;
  /** Stops training after the current step (Ctrl-C in the CLI). */
  signal?: AbortSignal;
  /** On backends that cannot be read synchronously (webgpu): read the loss every N steps (default 50). */
  lossReadEvery?: number;
  /**
   * Stop at the first NaN or ±Infinity training loss (default true, as Keras's TerminateOnNaN
   * callback): the unfinished epoch is not recorded, and history.stopReason is 'nonfinite' with
   * history.nonFinite saying where. Training on after that only turns every weight into NaN.
   */
  terminateOnNaN?: boolean;
}

/** Every key FitOptions has: an options object with any other key is refused (a typo would be ignored). */
export const FIT_OPTION_KEYS = [
  'optimizer', 'loss', 'epochs', 'batchSize', 'shuffle', 'generator', 'validationData', 'validationSplit', 'metrics',
  'callbacks', 'progress', 'progressStream', 'scheduler', 'schedulerInterval', 'clipNorm', 'clipValue', 'l1', 'l2',
  'inputNoise', 'initialEpoch', 'signal', 'lossReadEvery', 'terminateOnNaN',
] as const satisfies readonly (keyof FitOptions)[];
// The list must name every key of FitOptions: this line stops compiling when one is missing.
const everyKeyListed: [Exclude<keyof FitOptions, (typeof FIT_OPTION_KEYS)[number]>] extends [never] ? true : false = true;
void everyKeyListed;

function checkKeys(op: string, o: object): void {
  for (const key of Object.keys(o)) {
    if (!(FIT_OPTION_KEYS as readonly string[]).includes(key)) {
      throw new Error(`${op}: unknown option '${key}' (accepted: ${FIT_OPTION_KEYS.join(', ')})`);
    }
  }
}

/**
 * Keras's split: the first floor(n·(1 − fraction)) rows train, the rest validate, in their
 * order in x (the shuffle happens later, within the training rows only).
 */
async function splitValidation(op: string, x: Tensor | Dataset | DataLoader, y: Tensor | Dataset | null, fraction: unknown):
  Promise<{ x: Dataset; y: Dataset | null; validation: [Dataset, Dataset | null] }> {
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) throw new Error(`${op}: validationSplit must be a number in (0, 1), got ${String(fraction)}`);
  if (x instanceof DataLoader) throw new Error(`${op}: validationSplit needs x as a Tensor or Dataset, not a DataLoader (split the data set and pass validationData)`);
  const xs = await toDataset(op, 'x', x);
  const ys = y === null ? null : await toDataset(op, 'y', y);
  checkRows(op, xs, ys);
  const n = xs.length;
  const at = Math.floor(n * (1 - fraction));
  if (at < 1 || at >= n) throw new Error(`${op}: validationSplit ${fraction} of ${n} rows leaves ${at} for training and ${n - at} for validation; each needs at least one`);
  return {
    x: rowRange(xs, 0, at), y: ys && rowRange(ys, 0, at),
    validation: [rowRange(xs, at, n), ys && rowRange(ys, at, n)],
  };
}

/** How often (ms) the loop yields to the event loop, so that signals and timers get through. */
const YIELD_EVERY_MS = 50;

function positiveInt(op: string, key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${op}: ${key} must be a positive integer, got ${String(v)}`);
  return v;
}

function modelBackend(model: Module): Backend {
  const p = model.parameters()[0];
  return p ? p.backend : getBackend();
}

async function call(result: CallbackResult): Promise<boolean> {
  const r = result instanceof Promise ? await result : result;
  return r === 'stop';
}

/** One batch source per epoch: either our own shuffled rows or a DataLoader. */
interface EpochBatches {
  steps: number;
  batchSize: number;
  samples: number;
  /** Yields [input rows, target rows or null (target = input), row count]. */
  batches(): Iterable<[Float32Array, Float32Array | null, number]>;
  xShape: number[];
  yShape: number[];
  /** A batch's rows [n, ...shape] as a tensor on the model's backend (adopted where a BatchBuilder lent them). */
  tensor(rows: Float32Array, n: number, shape: number[]): Tensor;
}

/** Where an epoch's batches come from: row indices in order, with the next batch's for reading ahead. */
interface BatchSource {
  xs: Dataset;
  ys: Dataset | null;
  batchSize: number;
  steps: number;
  samples: number;
  noise: NoiseSpec | undefined;
  noiseGenerator: Generator;
  indexBatches(): Iterable<{ indices: Uint32Array; next: Uint32Array | null }>;
}

/** A DataLoader's order, target and noise (its state moved on as batches are taken), or fit's own shuffle of x and y. */
async function batchSource(op: string, x: Tensor | Dataset | DataLoader, y: Tensor | Dataset | null, o: FitOptions, generator: Generator): Promise<BatchSource> {
  if (x instanceof DataLoader) {
    if (y !== null) throw new Error(`${op}: with a DataLoader, y must be null (the loader supplies targets: its 'target' or noise options)`);
    if (o.inputNoise) throw new Error(`${op}: with a DataLoader, give the noise to the loader (DataLoaderOptions.noise), not to fit`);
    const loader = x;
    return {
      xs: loader.dataset, ys: loader.target ?? null, batchSize: loader.batchSize, steps: loader.length,
      samples: loader.dropLast ? loader.length * loader.batchSize : loader.dataset.length,
      noise: loader.noise, noiseGenerator: loader.generator, indexBatches: () => loader.indexBatches(),
    };
  }
  const xs = await toDataset(op, 'x', x);
  const ys = y === null ? null : await toDataset(op, 'y', y);
  checkRows(op, xs, ys);
  const batchSize = positiveInt(op, 'batchSize', o.batchSize ?? 32);
  const n = xs.length, shuffle = o.shuffle ?? true;
  if (o.inputNoise) validateNoise(o.inputNoise);
  return {
    xs, ys, batchSize, steps: Math.ceil(n / batchSize), samples: n, noise: o.inputNoise, noiseGenerator: generator,
    *indexBatches() {
      const order = shuffle ? generator.permutation(n) : identityOrder(n);
      const rowsFrom = (first: number) => order.subarray(first, Math.min(n, first + batchSize));
      for (let first = 0; first < n; first += batchSize) yield { indices: rowsFrom(first), next: first + batchSize < n ? rowsFrom(first + batchSize) : null };
    },
  };
}

async function makeBatches(op: string, x: Tensor | Dataset | DataLoader, y: Tensor | Dataset | null,
  o: FitOptions, generator: Generator, backend: Backend): Promise<EpochBatches> {
  const source = await batchSource(op, x, y, o, generator);
  const { xs, ys, batchSize, noise, noiseGenerator } = source;
  const xb = new BatchBuilder(xs, batchSize, backend);
  const yb = ys ? new BatchBuilder(ys, batchSize, backend) : null;
  // a denoising run without y needs the clean rows as the target: a second buffer
  const clean = noise && !ys ? new BatchBuilder(xs, batchSize) : null;
  return {
    steps: source.steps,
    batchSize,
    samples: source.samples,
    xShape: xs.featureShape,
    yShape: (ys ?? xs).featureShape,
    tensor: (rows, n, shape) => {
      const builder = xb.owns(rows) ? xb : yb?.owns(rows) ? yb : null;
      return builder ? builder.upload(rows, n, backend) : fromTyped(rows, [n, ...shape], { backend });
    },
    *batches() {
      // Each batch's rows are read while the step before it runs, where the data can be
      // (BatchBuilder.startRows: on native the pool's workers gather them between that step's
      // kernels, in the time they would wait for the caller's serial work; bench/RESULTS.md, "The
      // next batch gathered while a step runs"). The same rows either way; the noise is drawn as
      // each batch is taken, in the same order.
      type Started = { x: { rows: Float32Array; finish: () => void }; y: { rows: Float32Array; finish: () => void } | null };
      const ahead = xb.canStartRows && (!yb || yb.canStartRows);
      let started: Started | null = null;
      const finish = (s: Started): void => { s.x.finish(); s.y?.finish(); };
      try {
        for (const { indices, next } of source.indexBatches()) {
          let xRows: Float32Array, yRows: Float32Array | null;
          if (started) {
            finish(started);
            xRows = started.x.rows;
            yRows = started.y ? started.y.rows : null;
          } else {
            xRows = xb.rows(indices);
            yRows = yb ? yb.rows(indices) : null;
          }
          started = ahead && next ? { x: xb.startRows(next), y: yb ? yb.startRows(next) : null } : null;
          if (noise) {
            if (clean) { yRows = clean.view(indices.length); yRows.set(xRows); }
            applyNoise(xRows, noise, noiseGenerator);
          }
          yield [xRows, yRows, indices.length];
        }
      } finally {
        // Stopped early (a callback's stop, an error): the batch read ahead is finished and given back.
        if (started) {
          finish(started);
          xb.discard(started.x.rows);
          if (started.y) yb?.discard(started.y.rows);
        }
      }
    },
  };
}

/** One training step; returns the batch loss (detached, owned by the caller). */
function trainStep(model: Module, params: Tensor[], obj: Objective, o: FitOptions, data: EpochBatches,
  xRows: Float32Array, yRows: Float32Array | null, n: number): Tensor {
  for (const p of params) p.zeroGrad();
  return tidy(() => {
    const xb = data.tensor(xRows, n, data.xShape);
    const yb = yRows === null ? xb : data.tensor(yRows, n, data.yShape);
    const loss = objective(model, model.forward(xb), yb, obj);
    loss.backward();
    if (o.clipNorm !== undefined) clipGradNormTensor(params, o.clipNorm);
    if (o.clipValue !== undefined) clipGradValue(params, o.clipValue);
    o.optimizer.step();
    return loss.detach();
  });
}

/**
 * Trains `model` on x → y (y null: an autoencoder's x → x). Returns the per-epoch history.
 * x may be a Tensor [N, …], a Dataset, or a DataLoader (which then owns batching and noise).
 */
export async function fit(model: Module, x: Tensor | Dataset | DataLoader, y: Tensor | Dataset | null, options: FitOptions): Promise<History> {
  const op = 'fit';
  const o = options;
  if (typeof o !== 'object' || o === null) throw new Error(`${op}: options must be an object ({ optimizer, loss, epochs, … })`);
  checkKeys(op, o);
  if (!(o.optimizer instanceof Optimizer)) throw new Error(`${op}: options.optimizer must be an Optimizer (SGD, Adam, …)`);
  const epochs = positiveInt(op, 'epochs', o.epochs);
  const initialEpoch = o.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch > epochs) {
    throw new Error(`${op}: initialEpoch must be an integer in [0, epochs = ${epochs}], got ${initialEpoch}`);
  }
  if (o.clipNorm !== undefined && !(o.clipNorm > 0)) throw new Error(`${op}: clipNorm must be > 0, got ${o.clipNorm}`);
  if (o.clipValue !== undefined && !(o.clipValue > 0)) throw new Error(`${op}: clipValue must be > 0, got ${o.clipValue}`);
  const lossReadEvery = positiveInt(op, 'lossReadEvery', o.lossReadEvery ?? 50);
  const terminateOnNaN = o.terminateOnNaN ?? true;
  const obj = makeObjective(op, model, o.loss, o.l1, o.l2);
  const generator = o.generator ?? defaultGenerator;
  const backend = modelBackend(model);
  const metricNames = checkMetrics(op, o.metrics);
  let validation = o.validationData;
  if (validation !== undefined && (!Array.isArray(validation) || validation.length !== 2)) {
    throw new Error(`${op}: validationData must be [x, y] (y null for an autoencoder)`);
  }
  if (o.validationSplit !== undefined && validation === undefined) {
    ({ x, y, validation } = await splitValidation(op, x, y, o.validationSplit));
  }
  if (metricNames.length > 0 && validation === undefined) {
    throw new Error(`${op}: metrics (${metricNames.join(', ')}) are computed on validation data; pass validationData or validationSplit`);
  }
  const data = await makeBatches(op, x, y, o, generator, backend);
  const params = model.parameters();
  const syncRead = params.length === 0 || canReadSync(params[0]);
  const history = emptyHistory();
  const callbacks = o.callbacks ?? [];
  const reporter = createProgressReporter(o.progress ?? 'none', o.progressStream ?? process.stderr);
  const ctx: TrainContext = { model, optimizer: o.optimizer, scheduler: o.scheduler, history, epochs, stepsPerEpoch: data.steps, stopTraining: false };
  const wasTraining = model.training;

  let stop: History['stopReason'] = null;
  for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
  reporter?.trainBegin({ epochs, initialEpoch, stepsPerEpoch: data.steps, samplesPerEpoch: data.samples });
  let lastYield = performance.now();
  try {
    for (let epoch = initialEpoch; epoch < epochs && stop === null; epoch++) {
      if (o.signal?.aborted) { stop = 'abort'; break; }
      for (const cb of callbacks) if (await call(cb.onEpochBegin?.(epoch, ctx))) ctx.stopTraining = true;
      if (ctx.stopTraining) { stop = 'callback'; break; }
      model.train();
      const lr = o.optimizer.paramGroups[0].lr;
      const meter = new LossMeter(syncRead);
      const t0 = performance.now();
      let step = 0;
      try {
        for (const [xRows, yRows, n] of data.batches()) {
          const loss = trainStep(model, params, obj, o, data, xRows, yRows, n);
          step++;
          if (o.scheduler && o.schedulerInterval === 'batch') o.scheduler.step(syncRead ? loss.item() : undefined);
          meter.add(loss, n);
          if (!syncRead && step % lossReadEvery === 0) await meter.read();
          // the running mean turns NaN or ±Infinity at the first such step (and stays so)
          if (terminateOnNaN && !Number.isFinite(meter.last) && (syncRead || step % lossReadEvery === 0)) {
            history.nonFinite = { epoch, step, loss: meter.last, ...(syncRead ? {} : { firstStep: step - lossReadEvery + 1 }) };
            stop = 'nonfinite';
            break;
          }
          const logs: BatchLogs = { loss: meter.last, size: n };
          for (const cb of callbacks) if (cb.onBatchEnd && await call(cb.onBatchEnd(step - 1, logs, ctx))) ctx.stopTraining = true;
          reporter?.batchEnd({ epoch, step, samplesDone: meter.samples, seconds: (performance.now() - t0) / 1000, loss: meter.last });
          const now = performance.now();
          if (now - lastYield > YIELD_EVERY_MS) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            lastYield = performance.now();
          }
          if (o.signal?.aborted) { stop = 'abort'; break; }
          if (ctx.stopTraining) break;
        }
        if (stop !== null) break;
        const trainLoss = await meter.read();
        if (terminateOnNaN && !Number.isFinite(trainLoss)) {
          // only webgpu gets here (CPU backends stop at the step): the loss was last read at a multiple of lossReadEvery
          history.nonFinite = { epoch, step, loss: trainLoss, firstStep: step - ((step - 1) % lossReadEvery) };
          stop = 'nonfinite';
          break;
        }
        const trainSeconds = (performance.now() - t0) / 1000;
        const logs: EpochLogs = { loss: trainLoss, lr, seconds: 0, samplesPerSecond: meter.samples / trainSeconds };
        if (validation) {
          const metrics = metricNames.length > 0 ? new MetricMeter(metricNames, syncRead) : undefined;
          try {
            logs.valLoss = await evaluateLoss(op, model, validation[0], validation[1], obj, data.batchSize, metrics);
            if (metrics) Object.assign(logs, await metrics.read());
          } finally {
            metrics?.dispose();
          }
          // finite training losses but broken weights after the epoch's last step: stop before recording it
          if (terminateOnNaN && !Number.isFinite(logs.valLoss)) {
            history.nonFinite = { epoch, step, loss: logs.valLoss, validation: true };
            stop = 'nonfinite';
            break;
          }
        }
        logs.seconds = (performance.now() - t0) / 1000;
        history.epoch.push(epoch);
        history.loss.push(logs.loss);
        if (logs.valLoss !== undefined) history.valLoss.push(logs.valLoss);
        for (const m of metricNames) (history[METRIC_LOG_KEYS[m]] ??= []).push(logs[METRIC_LOG_KEYS[m]] as number);
        history.seconds.push(logs.seconds);
        history.lr.push(lr);
        history.samplesPerSecond.push(logs.samplesPerSecond);
        if (o.scheduler && o.schedulerInterval !== 'batch') o.scheduler.step(logs.valLoss ?? logs.loss);
        reporter?.epochEnd({ epoch, ...logs });
        for (const cb of callbacks) if (await call(cb.onEpochEnd?.(epoch, logs, ctx))) ctx.stopTraining = true;
        if (ctx.stopTraining) stop = 'callback';
      } finally {
        meter.dispose();
      }
    }
  } finally {
    model.train(wasTraining);
    reporter?.trainEnd();
  }
  history.stopReason = stop;
  for (const cb of callbacks) await cb.onTrainEnd?.(history, ctx);
  return history;
}
