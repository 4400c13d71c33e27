// `tessera eval <run>`: the run's test loss and PSNR next to the baselines: PCA with as many
// components as the code (fitted on the training set) and kNN accuracy of raw pixels, PCA codes
// and the autoencoder's codes. Prints a table and writes eval.json into the run folder.
import * as path from 'node:path';
import type { Command } from './command.js';
import type { OptionSpec } from './options.js';
import { BACKEND_OPTIONS, chooseBackend, describeBackend } from './backend-choice.js';
import { loadData } from '../train/run-data.js';
import { readRun, writeJson } from './run-folder.js';
import { baselineMetrics, reconstructionMetrics } from '../eval/run-metrics.js';
import { readForRun } from '../train/run-data.js';
import { RUN_DATA_OPTIONS, headerChoice } from './data-options.js';
import type { BackendName } from '../index.js';

const options: OptionSpec[] = [
  ...BACKEND_OPTIONS,
  { name: 'k', kind: 'int', min: 1, default: 5, help: 'neighbours in the kNN vote' },
  { name: 'knn-test', kind: 'int', min: 1, help: 'classify only the first N test images with kNN (default all)' },
  { name: 'limit', kind: 'int', min: 1, help: 'use only the first N training images (PCA fit, kNN references) and N/6 test images' },
  { name: 'probe-epochs', kind: 'int', min: 0, default: 10, help: 'epochs of the linear probes (softmax regression on each representation); 0 skips them' },
  { name: 'json', kind: 'flag', help: 'print the results as JSON' },
  ...RUN_DATA_OPTIONS,
];

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'test loss, PSNR, and comparisons with PCA and kNN on raw pixels',
  usage: '<run> [options]',
  description: 'Evaluates a run folder on the Fashion-MNIST test set: the test loss and PSNR of the\nautoencoder, PCA with the same number of components (fitted on the training set) and its\ntest reconstruction error, and 5-NN accuracy of the autoencoder codes, the PCA codes and raw\npixels; and a linear probe (softmax regression) on each. Writes eval.json into the run folder.',
  options,
  positionals: { min: 1, max: 1, names: 'the run folder' },
  async run(args, io) {
    const v = args.values;
    const backend = await chooseBackend('eval', v.backend as BackendName | undefined, v.threads as number | undefined, (m) => io.stderr.write(m));
    const header = headerChoice('eval', v);
    const run = readRun('eval', args.positionals[0]);
    const data = loadData('eval', run.config, (v.limit as number | undefined) ?? run.config.limit);
    // --data: evaluate on that file (scaled as the training data was) instead of the run's test rows.
    if (typeof v.data === 'string') data.test = readForRun('eval', run.config, v.data, v.labels as string | undefined, header).split;
    if (!data.train.labels || !data.test.labels) io.stderr.write('tessera eval: no labels, so kNN and the linear probe are left out (give --labels with --data to train, or --labels here)\n');
    const t0 = performance.now();
    const recon = await reconstructionMetrics(run, data);
    const base = await baselineMetrics(run, data, { k: v.k as number, knnQueries: v['knn-test'] as number | undefined, probeEpochs: v['probe-epochs'] as number });
    const result = {
      run: run.dir, model: run.config.model, latent: run.config.latent, backend: describeBackend(backend),
      trainImages: data.train.n, testImages: data.test.n, ...recon, ...base, seconds: { ...base.seconds, total: (performance.now() - t0) / 1000 },
    };
    writeJson(path.join(run.dir, 'eval.json'), result);
    if (v.json === true) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    const c = base.components;
    const probe = base.linearProbe;
    const knn = base.knn;
    const raw = `raw values (${data.featureShape.reduce((a, b) => a * b, 1)})`;
    io.stdout.write([
      `run ${run.dir}: ${run.config.model} autoencoder, code of ${c} values; backend ${result.backend}`,
      `train images ${data.train.n}, test images ${data.test.n}`,
      '',
      `                       test MSE    PSNR (dB)   mean image PSNR (dB)`,
      `  autoencoder          ${recon.testMse.toFixed(5)}     ${recon.psnr.toFixed(2).padStart(6)}      ${recon.meanImagePsnr.toFixed(2)}`,
      `  ${`PCA, ${c} components`.padEnd(21)}${base.pcaTestMse.toFixed(5)}     ${base.pcaPsnr.toFixed(2).padStart(6)}      (explains ${pct(base.pcaExplainedVariance)} of the variance)`,
      `  test loss (training objective): ${recon.testLoss.toPrecision(5)}`,
      '',
      ...(knn ? [
        `  ${knn.k}-NN accuracy on ${knn.queries} test rows (references: ${knn.trainRows} training rows)`,
        `    ${raw.padEnd(24)}${pct(knn.rawPixels)}`,
        `    ${`PCA codes (${c})`.padEnd(24)}${pct(knn.pcaCodes)}`,
        `    ${`autoencoder codes (${c})`.padEnd(24)}${pct(knn.autoencoderCodes)}`,
      ] : ['  kNN and linear probe: left out (no labels)']),
      ...(probe ? [
        '',
        `  linear probe (softmax regression, ${probe.epochs} epochs of Adam on standardised features), test accuracy`,
        `    ${raw.padEnd(24)}${pct(probe.rawPixels)}`,
        `    ${`PCA codes (${c})`.padEnd(24)}${pct(probe.pcaCodes)}`,
        `    ${`autoencoder codes (${c})`.padEnd(24)}${pct(probe.autoencoderCodes)}`,
      ] : []),
      '',
      `(${result.seconds.total.toFixed(1)} s; written to ${path.join(run.dir, 'eval.json')})`,
      '',
    ].join('\n'));
    return 0;
  },
};
