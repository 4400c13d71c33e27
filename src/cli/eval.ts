// `tessera eval <run>`: the run's test loss and PSNR next to the baselines: PCA with as many
// components as the code (fitted on the training set) and kNN accuracy of raw pixels, PCA codes
// and the autoencoder's codes. Prints a table and writes eval.json into the run folder.
import * as path from 'node:path';
import type { Command } from './command.js';
import type { OptionSpec } from './options.js';
import { BACKEND_OPTIONS, chooseBackend, describeBackend } from './backend-choice.js';
import { loadData, loadRun } from './inference.js';
import { baselineMetrics, reconstructionMetrics } from './run-metrics.js';
import { writeJson } from './run-folder.js';
import type { BackendName } from '../index.js';

const options: OptionSpec[] = [
  ...BACKEND_OPTIONS,
  { name: 'k', kind: 'int', min: 1, default: 5, help: 'neighbours in the kNN vote' },
  { name: 'knn-test', kind: 'int', min: 1, help: 'classify only the first N test images with kNN (default all)' },
  { name: 'limit', kind: 'int', min: 1, help: 'use only the first N training images (PCA fit, kNN references) and N/6 test images' },
  { name: 'probe-epochs', kind: 'int', min: 0, default: 10, help: 'epochs of the linear probes (softmax regression on each representation); 0 skips them' },
  { name: 'json', kind: 'flag', help: 'print the results as JSON' },
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
    const run = loadRun('eval', args.positionals[0]);
    const data = loadData('eval', (v.limit as number | undefined) ?? run.config.limit);
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
    io.stdout.write([
      `run ${run.dir}: ${run.config.model} autoencoder, code of ${c} values; backend ${result.backend}`,
      `train images ${data.train.n}, test images ${data.test.n}`,
      '',
      `                       test MSE    PSNR (dB)   mean image PSNR (dB)`,
      `  autoencoder          ${recon.testMse.toFixed(5)}     ${recon.psnr.toFixed(2).padStart(6)}      ${recon.meanImagePsnr.toFixed(2)}`,
      `  ${`PCA, ${c} components`.padEnd(21)}${base.pcaTestMse.toFixed(5)}     ${base.pcaPsnr.toFixed(2).padStart(6)}      (explains ${pct(base.pcaExplainedVariance)} of the variance)`,
      `  test loss (training objective): ${recon.testLoss.toPrecision(5)}`,
      '',
      `  ${base.knn.k}-NN accuracy on ${base.knn.queries} test images (references: ${base.knn.trainRows} training images)`,
      `    ${'raw pixels (784)'.padEnd(24)}${pct(base.knn.rawPixels)}`,
      `    ${`PCA codes (${c})`.padEnd(24)}${pct(base.knn.pcaCodes)}`,
      `    ${`autoencoder codes (${c})`.padEnd(24)}${pct(base.knn.autoencoderCodes)}`,
      ...(probe ? [
        '',
        `  linear probe (softmax regression, ${probe.epochs} epochs of Adam on standardised features), test accuracy`,
        `    ${'raw pixels (784)'.padEnd(24)}${pct(probe.rawPixels)}`,
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
