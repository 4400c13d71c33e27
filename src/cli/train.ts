// `tessera train`: train an autoencoder on the bundled Fashion-MNIST and write a run folder
// (see run-folder.ts): weights, config, per-epoch metrics, checkpoint, and pictures. With no
// options it trains the seed's dense autoencoder 784→64→32→64→784 (ReLU, sigmoid output, MSE,
// Adam lr 1e-3, batch 256, shuffled) for 5 epochs on the fastest backend available.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendName } from '../index.js';
import type { Command, CliIO } from './command.js';
import { CliError } from './command.js';
import { UsageError, type OptionSpec } from './options.js';
import { chooseBackend, describeBackend, machineLine } from './backend-choice.js';
import { DEFAULT_EPOCHS, MODEL_TRAINING_OPTIONS, RUN_OPTIONS, configToJson, resolveTrainConfig, type TrainConfig } from './train-options.js';
import { RUN_FILES, newRunDir, readRunFolder, saveWeights, writeJson } from './run-folder.js';
import { removeStaleTempFiles } from '../io/atomic.js';
import { encodeRows, reconstructRows, type LoadedRun } from '../eval/inference.js';
import { loadData, type Data } from '../train/run-data.js';
import { describeNonFinite, newSession, restoreSession, runSession, type Session } from '../train/training-session.js';
import { reconstructionMetrics } from '../eval/run-metrics.js';
import { architectureFor, featureShapeOf } from '../models/build-model.js';
import { ARCHITECTURE_KEY, TRANSFORM_KEY } from '../models/architecture.js';
import { picturePaths, writeFeatureErrors, writeLatentMap, writeLatentWalk, writeLossCurves, writeReconstructions, writeVaeSamples } from './pictures.js';
import { VAE } from '../models/vae.js';
import { DenoisingAutoencoder } from '../models/denoising-autoencoder.js';
import { corrupt } from '../models/corrupt.js';
import { Generator, fromTyped } from '../index.js';

const RESUME_OVERRIDES = new Set(['resume', 'epochs', 'backend', 'threads', 'quiet']);

const options: OptionSpec[] = [
  ...MODEL_TRAINING_OPTIONS.map((o) => ({ ...o, list: false })),
  ...RUN_OPTIONS,
  { name: 'resume', kind: 'string', placeholder: 'run', help: 'continue the run in this folder from its last checkpoint (--epochs may raise the total)', noConfig: true },
];

const notes = `With no options: the seed's dense autoencoder 784→64→32→64→784 (ReLU, sigmoid output, MSE loss,
Adam lr 1e-3, batch 256, shuffled) for ${DEFAULT_EPOCHS} epochs (about 0.6 s each on the native backend of a 2-core Zen 3 with
AVX2, about 30 times that on the js backend; bench/RESULTS.md) on the bundled Fashion-MNIST (60,000 training and 10,000 test
images; the test set is the validation set). --data trains on your own file or folder instead (see
'Your own data' in the README); the model's input size, output layer and scaling follow the data.

Schedules (stepped once per epoch): step halves the lr every epochs/3 epochs; exponential multiplies it
by 0.9; cosine anneals it to 0 over the run; plateau halves it when the test loss has not improved for 1
epoch; warmup ramps it up linearly over the first epoch's steps.

The run folder gets config.json, model.safetensors, checkpoint.safetensors, metrics.json,
reconstructions.png, loss.png, latent.png (and samples.png, latent-walk.png for a VAE).
Ctrl-C stops after the current step and saves a checkpoint; 'tessera train --resume <run>' continues it,
on the backend it trained on (another --backend is allowed, with a warning: the results will differ).
A run killed before its first checkpoint starts again from the beginning; one killed while writing
its outputs writes them. Training stops at the first NaN or infinite loss, keeping the last checkpoint.

Examples:
  tessera train
  tessera train --model vae --latent 2 --epochs 20
  tessera train --model conv --backend native --threads 2 --out runs/conv
  tessera train --config my-options.json --lr 3e-3
  tessera train --data table.csv --labels labels.csv --latent 4`;

function describeModel(s: Session): string {
  const c = s.config;
  const f = featureShapeOf(c).reduce((a, b) => a * b, 1);
  const arch = c.model === 'conv' ? `channels ${c.hidden.join(',')}, code ${c.latent}` : `${f}→${[...c.hidden, c.latent, ...[...c.hidden].reverse()].join('→')}→${f}`;
  return `${c.model} autoencoder (${arch}, ${c.activation}, ${s.model.numParameters().toLocaleString('en-US')} parameters)`;
}

/** The pictures of a run: image grids for image data, a per-feature error chart for a table. */
async function writePictures(dir: string, run: LoadedRun, data: Data, history: Session['history']): Promise<string[]> {
  const p = picturePaths(dir);
  const written: string[] = [];
  const rowSize = data.featureShape.reduce((a, b) => a * b, 1);
  if (data.isImage) {
    const count = Math.min(16, data.test.n);
    const inputs = data.test.images.subarray(0, count * rowSize);
    const outputs = await reconstructRows(run, inputs, count);
    let noisy: Float32Array | undefined;
    if (run.model instanceof DenoisingAutoencoder) {
      const x = fromTyped(inputs, [count, rowSize]);
      const n = corrupt(x, run.model.noise, new Generator(run.config.seed + 1));
      noisy = Float32Array.from(await n.data());
      x.dispose(); n.dispose();
      // What the model makes of the noisy input is the interesting row.
      outputs.set(await reconstructRows(run, noisy, count));
    }
    writeReconstructions(p.reconstructions, inputs, outputs, count, noisy, data.featureShape);
    written.push(p.reconstructions);
  } else {
    const file = path.join(dir, RUN_FILES.featureErrors);
    const outputs = await reconstructRows(run, data.test.images, data.test.n);
    writeFeatureErrors(file, data.test.images, outputs, data.test.n, rowSize, `test reconstruction error per feature (${data.test.n} rows)`);
    written.push(file);
  }
  if (history.loss.length > 0) { writeLossCurves(p.loss, history); written.push(p.loss); }
  const codes = await encodeRows(run, data.test.images, data.test.n);
  await writeLatentMap(p.latent, codes.values, codes.width, data.test.labels, `latent map: ${codes.width}-d test codes, first 2 PCs`, classNamesOf(data));
  written.push(p.latent);
  if (run.model instanceof VAE && data.isImage) {
    await writeVaeSamples(p.samples, run.model, 64, run.config.seed, data.featureShape);
    await writeLatentWalk(p.walk, run.model, 12, data.featureShape);
    written.push(p.samples, p.walk);
  }
  return written;
}

/** Names for the latent map's legend: the data's, or the label numbers. */
function classNamesOf(data: Data): readonly string[] {
  if (data.classNames) return data.classNames;
  let max = -1;
  for (const l of [data.train.labels, data.test.labels]) if (l) for (const v of l) max = Math.max(max, v);
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}

function describeData(c: TrainConfig, data: Data): string {
  const shape = `[${data.featureShape.join(', ')}]`;
  const scale = data.transform.spec.kind === 'divide' ? `/${data.transform.spec.divisor}` : data.transform.spec.kind;
  return `${c.data.data === undefined ? 'Fashion-MNIST' : `'${c.data.data}'`} ${shape}, scaled ${scale}`;
}

interface ResolvedRun {
  config: TrainConfig;
  dir: string;
  resume: boolean;
  /** The backend to train on: --backend, else the one the resumed run trained on. */
  backend: BackendName | undefined;
}

function resolveRun(args: { values: Record<string, unknown>; given: Set<string> }, warn: (m: string) => void): ResolvedRun {
  const v = args.values;
  if (typeof v.resume === 'string') {
    const extra = [...args.given].filter((k) => !RESUME_OVERRIDES.has(k));
    if (extra.length > 0) {
      throw new UsageError(`tessera train: --resume continues a run with its own options; only --epochs, --backend, --threads and --quiet may be given with it (got ${extra.map((k) => `--${k}`).join(', ')})`);
    }
    const { config, backend: stored } = readRunFolder('train', v.resume);
    if (args.given.has('epochs')) config.epochs = v.epochs as number;
    const asked = args.given.has('backend') ? v.backend as BackendName : undefined;
    // Each backend rounds differently: the same run continued elsewhere gives other numbers.
    if (asked && stored && asked !== stored) {
      warn(`tessera train: the run in '${v.resume}' trained on the ${stored} backend; continuing on ${asked} (--backend), so its results will differ from an uninterrupted run on ${stored}\n`);
    }
    return { config, dir: v.resume, resume: true, backend: asked ?? stored };
  }
  const config = resolveTrainConfig('train', v as never);
  const dir = typeof v.out === 'string' ? v.out : newRunDir('runs', config.model);
  if (fs.existsSync(path.join(dir, RUN_FILES.config))) {
    throw new CliError(`tessera train: '${dir}' already holds a run; continue it with --resume ${dir} or choose another --out`);
  }
  return { config, dir, resume: false, backend: v.backend as BackendName | undefined };
}

/** Whether a run wrote all its outputs: metrics.json is written last, with complete: true. */
function runComplete(dir: string): boolean {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, RUN_FILES.metrics), 'utf8')).complete === true;
  } catch {
    return false;
  }
}

/**
 * The loss became NaN or ±Infinity: the weights are lost, so write no model.safetensors and no
 * pictures of them; keep the last checkpoint (saved before it happened) and write the history.
 */
function diverged(io: CliIO, dir: string, config: TrainConfig, session: Session, at: NonNullable<Session['history']['nonFinite']>): number {
  const h = session.history;
  writeJson(path.join(dir, RUN_FILES.metrics), { complete: false, config: configToJson(config), stopped: { reason: 'nonfinite', ...at }, history: h });
  if (h.loss.length > 0) writeLossCurves(picturePaths(dir).loss, h);
  const kept = fs.existsSync(path.join(dir, RUN_FILES.checkpoint))
    ? `the last good checkpoint (after epoch ${h.epoch.length}) is kept in ${dir}`
    : 'no checkpoint was saved (it diverged in its first epoch)';
  io.stderr.write(`tessera train: ${describeNonFinite(at)}; training stopped there, as it would only produce NaN weights from now on.\n` +
    `Lower the learning rate (--lr ${session.optimizer.paramGroups[0].lr} now) or clip the gradients (fit()'s clipNorm); ${kept}.\n`);
  return 1;
}

export const trainCommand: Command = {
  name: 'train',
  summary: `train an autoencoder on Fashion-MNIST (default: the seed's dense model, ${DEFAULT_EPOCHS} epochs)`,
  usage: '[options]',
  description: 'Trains an autoencoder on the bundled Fashion-MNIST (or --data) and writes a run folder with the\nweights, the config, per-epoch metrics and pictures.',
  options,
  notes,
  async run(args, io: CliIO) {
    const warn = (m: string) => io.stderr.write(m);
    const { config, dir, resume, backend: asked } = resolveRun(args, warn);
    const v = args.values;
    const quiet = v.quiet === true;
    const say = (line: string) => { if (!quiet) io.stdout.write(`${line}\n`); };
    let backend;
    try {
      backend = await chooseBackend('train', asked, v.threads as number | undefined, warn);
    } catch (e) {
      if (!resume || asked === undefined || args.given.has('backend') || !(e instanceof CliError)) throw e;
      throw new CliError(`${e.message}\nThe run trained on ${asked}; to continue it elsewhere pass --backend (its results will then differ)`);
    }
    // Everything is read and checked before the run folder is touched: data, labels, the model it makes.
    const data = loadData('train', config);
    config.transform ??= data.transform.spec;
    config.architecture ??= architectureFor(config, data.featureShape, data.transform.unitRange);
    const session = newSession(config, data.train.n);
    const removed = removeStaleTempFiles(dir);
    if (removed.length > 0) say(`removed ${removed.length} unfinished temporary file${removed.length === 1 ? '' : 's'} of a killed write: ${removed.join(', ')}`);
    if (resume) {
      const state = restoreSession('train', dir, session, data.train.n);
      if (state === null) say(`'${dir}' has no checkpoint yet (it stopped in its first epoch): training it from the start with its options`);
      else if (state.partial) say(`continuing epoch ${state.epoch + 1} after step ${state.loader.nextBatch} of ${Math.ceil(data.train.n / config.batchSize)}`);
      if (session.startEpoch >= config.epochs) {
        if (state?.partial) {
          throw new CliError(`tessera train: the run in '${dir}' stopped inside epoch ${session.startEpoch + 1}; pass --epochs N with N > ${session.startEpoch} to finish it`);
        }
        if (runComplete(dir)) {
          throw new CliError(`tessera train: the run in '${dir}' already finished ${session.startEpoch} epochs; pass --epochs N with N > ${session.startEpoch} to train further`);
        }
        // Stopped after its last checkpoint, while writing the weights, metrics or pictures.
        say(`the run finished training; writing its missing outputs`);
      }
    }
    fs.mkdirSync(dir, { recursive: true });
    writeJson(path.join(dir, RUN_FILES.config), { ...configToJson(config), backend: backend.name });
    say(`${resume ? 'resuming' : 'training'} a ${describeModel(session)}`);
    say(`on ${data.train.n} training ${data.isImage ? 'images' : 'rows'} of ${describeData(config, data)} (test: ${data.test.n}), ${config.epochs} epoch${config.epochs === 1 ? '' : 's'}${resume ? ` from epoch ${session.startEpoch + 1}` : ''}, ` +
      `${config.optimizer} lr ${config.lr}, batch ${config.batchSize}; backend ${describeBackend(backend)}`);
    say(`run folder: ${dir}`);
    if (!data.train.labels || !data.test.labels) say('no labels: the latent map is drawn in one colour, and eval leaves out kNN and the linear probe');

    const result = await runSession(session, {
      data, checkpointDir: dir, signal: io.signal, progress: quiet ? 'none' : 'auto', progressStream: io.stderr,
      onEpoch: (history) => writeJson(path.join(dir, RUN_FILES.metrics), { complete: false, config: configToJson(config), history }),
    });
    if (result.nonFinite) return diverged(io, dir, config, session, result.nonFinite);
    await saveWeights(path.join(dir, RUN_FILES.weights), session.model, {
      model: config.model, epochs: String(session.history.epoch.length),
      [ARCHITECTURE_KEY]: JSON.stringify(config.architecture), [TRANSFORM_KEY]: JSON.stringify(data.transform.spec),
    });
    const run: LoadedRun = { dir, config, model: session.model };
    if (result.interrupted) {
      const steps = session.loaderState?.nextBatch ?? 0;
      io.stderr.write(`tessera train: interrupted in epoch ${session.history.epoch.length + 1} after step ${steps}; checkpoint saved in ${dir}\n` +
        `continue with: tessera train --resume ${dir}\n`);
      return 130;
    }
    session.model.eval();
    const metrics = await reconstructionMetrics(run, data);
    const h = session.history;
    const secondsPerEpoch = h.seconds.length ? h.seconds.reduce((a, b) => a + b, 0) / h.seconds.length : NaN;
    const pictures = await writePictures(dir, run, data, h);
    writeJson(path.join(dir, RUN_FILES.metrics), {
      complete: true, config: configToJson(config), backend: describeBackend(backend),
      machine: machineLine(),
      parameters: session.model.numParameters(), epochs: h.epoch.length, secondsPerEpoch, trainSeconds: result.seconds,
      trainImages: data.train.n, testImages: data.test.n, test: metrics, history: h,
    });
    say(`done: ${h.epoch.length} epoch${h.epoch.length === 1 ? '' : 's'}, ${secondsPerEpoch.toFixed(2)} s per epoch; final train loss ${h.loss[h.loss.length - 1]?.toPrecision(4)}`);
    say(`test: loss ${metrics.testLoss.toPrecision(4)}, MSE ${metrics.testMse.toFixed(5)}, PSNR ${metrics.psnr.toFixed(2)} dB (mean per image ${metrics.meanImagePsnr.toFixed(2)} dB)`);
    say(`wrote ${[RUN_FILES.config, RUN_FILES.weights, RUN_FILES.checkpoint, RUN_FILES.metrics, ...pictures.map((p) => path.basename(p))].join(', ')} to ${dir}`);
    say(`compare with PCA and kNN: tessera eval ${dir}`);
    return 0;
  },
};
